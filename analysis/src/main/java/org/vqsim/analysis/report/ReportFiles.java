package org.vqsim.analysis.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vqsim.analysis.io.AtomicOutput;
import org.vqsim.analysis.report.charts.ChartImage;
import org.vqsim.analysis.report.charts.Charts;

/** Writes a rendered report (and its charts as PNG) under temporary names, renamed into place together. */
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

  /** Writes the HTML to {@code html} and, when {@code pngDir} is not null, each chart as PNG; returns every file written. */
  public static List<Path> write(ReportBuilder.Rendered r, Path html, Path pngDir) throws IOException {
    List<Path> written = new ArrayList<>();
    Files.createDirectories(html.toAbsolutePath().getParent());
    try (AtomicOutput out = new AtomicOutput()) {
      Files.writeString(out.file(html), r.html(), StandardCharsets.UTF_8);
      written.add(html);
      if (pngDir != null) {
        Files.createDirectories(pngDir);
        List<Path> targets = pngTargets(r, pngDir);
        for (int i = 0; i < targets.size(); i++) {
          try (OutputStream o = Files.newOutputStream(out.file(targets.get(i)))) {
            ChartImage.png(r.charts().get(i), PNG_SCALE, o);
          }
          written.add(targets.get(i));
        }
      }
      out.commit();
    }
    return written;
  }
}
