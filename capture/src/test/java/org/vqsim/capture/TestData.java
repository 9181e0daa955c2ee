package org.vqsim.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/** Shared helpers for the capture tests: the bundled samples and draining a request stream. */
public final class TestData {
  private TestData() {}

  /** samples/ of the checkout, found by walking up from the working directory. */
  public static Path samples() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("samples"))) return d.resolve("samples");
    }
    throw new IllegalStateException("no samples/ folder above " + Path.of("").toAbsolutePath());
  }

  /** One request, copied out of the reusable cursor. */
  public record Req(long tsNs, byte op, long offset, int length) {
    static Req of(IoRequest r) {
      return new Req(r.tsNs, r.op, r.offset, r.length);
    }
  }

  public static List<Req> drain(RequestSource s) throws IOException {
    List<Req> l = new ArrayList<>();
    IoRequest r = new IoRequest();
    while (s.next(r)) l.add(Req.of(r));
    return l;
  }
}
