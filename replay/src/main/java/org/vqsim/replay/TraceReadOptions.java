package org.vqsim.replay;

import org.vqsim.capture.ReadOptions;
import org.vqsim.capture.TraceFormat;
import org.vqsim.capture.qemu.QemuLogReader;
import picocli.CommandLine.Option;

/** How to read a trace file: the options shared by import and inspect. */
final class TraceReadOptions {
  @Option(names = "--format", paramLabel = "FORMAT", description = "Force the trace format instead of detecting it: arrow, ftrace, qemu, blkparse, fio, msr.")
  String format;

  @Option(names = "--device", paramLabel = "MAJ,MIN", description = "Only this block device of an ftrace or blkparse trace (e.g. 254,0).")
  String device;

  @Option(names = "--disk", paramLabel = "N", description = "Only this DiskNumber of an MSR Cambridge CSV trace.")
  Integer disk;

  @Option(names = "--skip-bad-lines", description = "Skip malformed lines (and report how many) instead of stopping at the first.")
  boolean skipBadLines;

  @Option(names = "--idle-gap", paramLabel = "SEC", description = "QEMU logs: the workload is what follows the last idle gap this long before a request (0: the whole log; default "
      + QemuLogReader.DEFAULT_IDLE_GAP_S + ").")
  Double idleGap;

  ReadOptions options() {
    TraceFormat f = format == null ? null : TraceFormat.of(format);
    return new ReadOptions(f, device, disk, skipBadLines, idleGap == null ? QemuLogReader.DEFAULT_IDLE_GAP_S : idleGap);
  }
}
