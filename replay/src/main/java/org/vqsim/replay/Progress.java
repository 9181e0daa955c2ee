package org.vqsim.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.vqsim.engine.sim.IoRequest;
import org.vqsim.engine.sim.RequestSource;

/**
 * Progress of a long run on standard error, from a background thread that reads a counter the work
 * bumps. On a terminal: one line rewritten twice a second (done, total, percent, rate, time left),
 * cleared at the end. Otherwise (a log, CI): a full line every few seconds, so a long run is never
 * silent; a run shorter than that prints nothing.
 *
 * <p>It installs no signal handler and never touches the terminal's modes, so Ctrl-C reaches the
 * JVM's shutdown hooks, which remove partial output.
 */
final class Progress implements AutoCloseable {
  /** Seconds between progress lines when standard error is not a terminal. */
  static double logIntervalSeconds() {
    return Double.parseDouble(System.getProperty("vqsim.progress.seconds", "5"));
  }

  private final PrintWriter err;
  private final String task;
  private final String unit;
  private final long total;
  private final boolean tty;
  private final long t0 = System.nanoTime();
  private final ScheduledExecutorService ticker;
  private volatile long done;
  private int lastWidth;
  private boolean closed;

  private Progress(PrintWriter err, String task, String unit, long total, boolean enabled) {
    this.err = err;
    this.task = task;
    this.unit = unit;
    this.total = total;
    this.tty = terminal();
    if (!enabled) {
      ticker = null;
      return;
    }
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vqsim-progress");
      t.setDaemon(true);
      return t;
    });
    long periodMs = tty ? 500 : Math.max(50, Math.round(logIntervalSeconds() * 1000));
    ticker.scheduleAtFixedRate(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts reporting {@code task}, whose size is {@code total} {@code unit}s (requests,
   * combinations), or -1 when it is not known in advance.
   */
  static Progress start(PrintWriter err, String task, String unit, long total) {
    return new Progress(err, task, unit, total, !Boolean.getBoolean("vqsim.noProgress"));
  }

  /** Whether standard error is a terminal: the launcher says so ({@code [ -t 2 ]}); else the JVM's console. */
  static boolean terminal() {
    String p = System.getProperty("vqsim.tty");
    if (p != null) return p.equals("true");
    java.io.Console c = System.console();
    if (c == null) return false;
    try { // JDK 22+: System.console() is not null on a pipe; isTerminal() tells
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Counts every request {@code s} hands out. */
  RequestSource wrap(RequestSource s) {
    return new RequestSource() {
      private long n;

      @Override
      public boolean next(IoRequest into) throws IOException {
        boolean more = s.next(into);
        if (more && (++n & 1023) == 0) done = n; // a volatile write every 1024 requests
        return more;
      }

      @Override
      public void close() throws IOException {
        done = n;
        s.close();
      }
    };
  }

  /** Adds {@code n} finished units (combinations of a sweep). */
  synchronized void add(long n) {
    done += n;
  }

  private synchronized void tick() {
    if (closed) return;
    String line = line();
    if (tty) {
      int pad = Math.max(0, lastWidth - line.length());
      err.print("\r" + line + " ".repeat(pad));
      lastWidth = line.length();
    } else {
      err.println("vqsim: " + line);
    }
    err.flush();
  }

  /** "replay 12 strategies: 1,234,567 of 3,000,000 requests (41%), 512,345 requests/s, about 0:00:03 left". */
  String line() {
    long d = done;
    double s = (System.nanoTime() - t0) / 1e9;
    double rate = s > 0 ? d / s : 0;
    StringBuilder b = new StringBuilder(task).append(": ").append(String.format(Locale.ROOT, "%,d", d));
    if (total > 0) {
      b.append(String.format(Locale.ROOT, " of %,d %s (%.0f%%)", total, unit, 100.0 * Math.min(d, total) / total));
    } else {
      b.append(' ').append(unit);
    }
    b.append(String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit));
    if (total > 0 && rate > 0 && d < total) b.append(", about ").append(clock((total - d) / rate)).append(" left");
    else b.append(", ").append(clock(s)).append(" so far");
    return b.toString();
  }

  static String clock(double seconds) {
    long t = Math.round(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    if (ticker == null) return;
    ticker.shutdownNow();
    if (tty && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
    }
  }
}
