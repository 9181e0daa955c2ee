package org.vqsim.analysis.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.analysis.io.RunOutput;
import org.vqsim.analysis.report.charts.ChartImage;
import org.vqsim.analysis.report.charts.Charts;

/** Writes a rendered report and its charts as PNG. */
public final class ReportFiles {
  private ReportFiles() {}

  /** The report's file name in a result folder. */
  public static final String REPORT = "report.html";

  /** PNGs are rendered at this multiple of the chart's CSS size, sharp on slides and high-DPI screens. */
  public static final double PNG_SCALE = 2.0;

  /** The PNG files {@code r} would write into {@code pngDir}, one per chart. */
  public static List<Path> pngTargets(ReportBuilder.Rendered r, Path pngDir) {
    List<Path> l = new ArrayList<>();
    for (Charts.Sized c : r.charts()) l.add(pngDir.resolve(c.name() + ".png"));
    return l;
  }

  /** Writes the chart whose PNG name is {@code name} (as {@link #pngTargets} names it) to {@code file}. */
  public static void writePng(ReportBuilder.Rendered r, String name, Path file) throws IOException {
    for (Charts.Sized c : r.charts()) {
      if ((c.name() + ".png").equals(name)) {
        try (OutputStream o = RunOutput.openStream(file)) {
          ChartImage.png(c, PNG_SCALE, o);
        }
        return;
      }
    }
    throw new IllegalArgumentException("no chart " + name);
  }

  /**
   * Writes the HTML to {@code html} and, when {@code pngDir} is not null, each chart as PNG into it;
   * returns every file written. The paths are the caller's staged files (a {@link
   * org.vqsim.analysis.io.RunOutput} makes them appear together); a failed write names the file.
   */
  public static List<Path> write(ReportBuilder.Rendered r, Path html, Path pngDir) throws IOException {
    List<Path> written = new ArrayList<>();
    Files.createDirectories(html.toAbsolutePath().getParent());
    RunOutput.writeString(html, r.html());
    written.add(html);
    if (pngDir != null) {
      Files.createDirectories(pngDir);
      for (Path t : pngTargets(r, pngDir)) {
        writePng(r, t.getFileName().toString(), t);
        written.add(t);
      }
    }
    return written;
  }
}
