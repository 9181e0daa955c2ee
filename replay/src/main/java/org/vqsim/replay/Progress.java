package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/** A progress bar on a terminal for long runs; nothing when output is not a terminal. */
final class Progress implements AutoCloseable {
  private static final int STEP = 1 << 16;
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static Progress start(PrintWriter err, String task) {
    if (System.console() == null || Boolean.getBoolean("vqsim.noProgress")) return new Progress(null);
    ProgressBar b = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).setUnit(" req", 1)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(500).continuousUpdate().clearDisplayOnFinish().build();
    return new Progress(b);
  }

  RequestSource wrap(RequestSource s) {
    if (bar == null) return s;
    return new RequestSource() {
      long n;

      @Override
      public boolean next(IoRequest into) throws IOException {
        boolean more = s.next(into);
        if (more && (++n & (STEP - 1)) == 0) bar.stepBy(STEP);
        return more;
      }

      @Override
      public void close() throws IOException {
        s.close();
      }
    };
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
