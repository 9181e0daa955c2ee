package org.vqsim.capture;

import org.vqsim.capture.qemu.QemuLogReader;

/**
 * How to read a trace file, validated once.
 *
 * @param format the format to use, or null to detect it from the content
 * @param device "MAJOR,MINOR": keep one block device (ftrace, blkparse), or null
 * @param disk keep one DiskNumber (MSR CSV), or null
 * @param skipBadLines skip and count malformed lines instead of stopping at the first
 * @param idleGapSeconds QEMU logs: the idle gap that separates boot I/O from the workload (0: whole log)
 */
public record ReadOptions(TraceFormat format, String device, Integer disk, boolean skipBadLines, double idleGapSeconds) {
  public ReadOptions {
    if (device != null && !device.matches("\\d+,\\d+")) throw new IllegalArgumentException("device must be MAJOR,MINOR (e.g. 254,0), not '" + device + "'");
    if (disk != null && disk < 0) throw new IllegalArgumentException("disk must be ≥ 0, not " + disk);
    if (!(idleGapSeconds >= 0)) throw new IllegalArgumentException("idle gap must be ≥ 0 seconds, not " + idleGapSeconds);
  }

  public static ReadOptions defaults() {
    return new ReadOptions(null, null, null, false, QemuLogReader.DEFAULT_IDLE_GAP_S);
  }

  public ReadOptions withFormat(TraceFormat f) { return new ReadOptions(f, device, disk, skipBadLines, idleGapSeconds); }
  public ReadOptions withDevice(String d) { return new ReadOptions(format, d, disk, skipBadLines, idleGapSeconds); }
  public ReadOptions withDisk(Integer n) { return new ReadOptions(format, device, n, skipBadLines, idleGapSeconds); }
  public ReadOptions withSkipBadLines(boolean s) { return new ReadOptions(format, device, disk, s, idleGapSeconds); }
  public ReadOptions withIdleGapSeconds(double g) { return new ReadOptions(format, device, disk, skipBadLines, g); }
}
