package org.vqsim.capture.observed;

import java.util.LinkedHashMap;
import java.util.Map;

/** How a reader fared: lines read, skipped and ignored, requests that could not be paired. */
public final class ReaderCounters {
  /** Lines read. */
  public long lines;
  /** Malformed lines skipped (with --skip-bad-lines). */
  public long skippedLines;
  /** Events of a kind the reader does not know, skipped. */
  public long unknownEvents;
  /** Requests issued whose completion never appeared (emitted without a completion time). */
  public long issuesWithoutCompletion;
  /** Completions whose issue never appeared (ignored). */
  public long completionsWithoutIssue;
  /** Requests dropped by the device or disk filter. */
  public long filtered;
  /** Requests of an op vqsim does not model (e.g. rwbs N), skipped. */
  public long otherOps;
  /** Whether the trace carries DMA or notification events at all. */
  public boolean hasObservedEvents;
  /** The first skipped line's message, or null. */
  public String firstSkipped;
  /** Reader-specific notes (e.g. the QEMU workload window), shown by inspect and stored by import. */
  public final Map<String, String> notes = new LinkedHashMap<>();
}
