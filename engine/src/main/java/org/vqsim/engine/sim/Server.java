package org.vqsim.engine.sim;

/**
 * One thread of execution on the timeline: a guest vCPU, a VMM thread (QEMU's main loop, an
 * iothread, a vhost worker) or the storage backend. It runs one pass at a time; a pass lasts as long as
 * the cycles charged during it plus the time it waited, and the next pass starts no earlier than this
 * one ended.
 */
public final class Server {
  public enum Kind {
    VCPU("vcpu"), VMM("vmm");

    public final String id;

    Kind(String id) {
      this.id = id;
    }
  }

  public final Kind kind;
  /** vCPU number, or the VMM thread's number in its kind. */
  public final int index;
  public final String name;
  long freePs;
  long busyPs;

  public Server(Kind kind, int index, String name) {
    this.kind = kind;
    this.index = index;
    this.name = name;
  }

  /** When the server is next free (the end of its last pass). */
  public long freePs() { return freePs; }

  /** Time spent in passes so far. */
  public long busyPs() { return busyPs; }

  @Override
  public String toString() { return name; }
}
