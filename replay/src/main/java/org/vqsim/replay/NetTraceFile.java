package org.vqsim.replay;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.Schema;
import org.vqsim.analysis.arrow.ArrowTables;
import org.vqsim.analysis.arrow.Columns;
import org.vqsim.analysis.arrow.TableWriter;
import org.vqsim.capture.TraceException;
import org.vqsim.engine.device.net.NetPacket;
import org.vqsim.engine.device.net.PacketSource;

/**
 * A packet trace as an Arrow file ({@code vqsim.kind = net-trace}): one row per packet in time
 * order — {@code ts_ns}, {@code direction} (tx|rx), {@code protocol} (tcp|udp|other), {@code frame_len},
 * {@code flow} (the stream; its queue pair is flow mod pairs), and for a closed loop
 * {@code depends_on} (the row this packet waits for, or -1) and {@code delay_ns}.
 */
final class NetTraceFile {
  static final String KIND = "net-trace";
  private static final byte[] TX = "tx".getBytes(StandardCharsets.US_ASCII), RX = "rx".getBytes(StandardCharsets.US_ASCII),
      TCP = "tcp".getBytes(StandardCharsets.US_ASCII), UDP = "udp".getBytes(StandardCharsets.US_ASCII), OTHER = "other".getBytes(StandardCharsets.US_ASCII);

  private NetTraceFile() {}

  static Schema schema(Map<String, String> meta) {
    return Columns.schema(List.of(
        Columns.col("ts_ns", Columns.INT64, "ns", "when the packet appears (tx: handed to the driver; rx: at the host's side of the link)"),
        Columns.col("direction", Columns.UTF8, "", "tx (guest sends) or rx (guest receives)"),
        Columns.col("protocol", Columns.UTF8, "", "tcp, udp or other"),
        Columns.col("frame_len", Columns.INT32, "bytes", "Ethernet frame without FCS; a GSO super-packet counts once"),
        Columns.col("flow", Columns.INT32, "", "the stream (queue pair = flow mod pairs)"),
        Columns.col("depends_on", Columns.INT64, "", "closed loop: the row this packet waits for, or -1"),
        Columns.col("delay_ns", Columns.INT64, "ns", "closed loop: how long after that row completed it appears")), meta);
  }

  /** Whether {@code file} is an Arrow packet trace. */
  static boolean is(Path file) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) < 8) return false;
      try (var in = Files.newInputStream(file)) {
        byte[] b = in.readNBytes(6);
        if (!new String(b, StandardCharsets.US_ASCII).equals("ARROW1")) return false;
      }
      return KIND.equals(ArrowTables.metadata(file).get("vqsim.kind"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Writes every packet of {@code src}; returns how many. */
  static long write(Path target, Map<String, String> meta, PacketSource src, Progress progress) throws IOException {
    NetPacket p = new NetPacket();
    long n = 0;
    try (TableWriter w = new TableWriter(target, schema(meta))) {
      while (src.next(p)) {
        w.setLong(0, p.tsNs);
        w.setBytes(1, p.direction == NetPacket.TX ? TX : RX);
        w.setBytes(2, p.protocol == NetPacket.TCP ? TCP : p.protocol == NetPacket.UDP ? UDP : OTHER);
        w.setInt(3, p.frameLen);
        w.setInt(4, Math.max(0, p.cpu));
        w.setLong(5, p.dependsOn);
        w.setLong(6, p.delayNs);
        w.endRow();
        n++;
        if (progress != null && (n & 0xffff) == 0) progress.add(0x10000);
      }
    }
    return n;
  }

  /** Reads a packet trace one batch at a time. */
  static PacketSource open(Path file) throws IOException {
    BufferAllocator alloc = new RootAllocator();
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    ArrowFileReader reader = new ArrowFileReader(ch, alloc);
    VectorSchemaRoot root;
    List<ArrowBlock> blocks;
    try {
      root = reader.getVectorSchemaRoot();
      blocks = reader.getRecordBlocks();
      for (String c : List.of("ts_ns", "direction", "protocol", "frame_len", "flow", "depends_on", "delay_ns")) {
        if (root.getVector(c) == null) throw new TraceException(file + ": not a packet trace (no " + c + " column)");
      }
    } catch (IOException | RuntimeException e) {
      reader.close();
      alloc.close();
      if (e instanceof TraceException t) throw t;
      throw new TraceException(file + ": not a readable Arrow IPC file (" + e.getMessage() + ")", e);
    }
    return new PacketSource() {
      int block = -1, row, rows;
      long index;
      BigIntVector ts, dep, delay;
      VarCharVector dir, proto;
      IntVector len, flow;
      // a batch without nulls is copied into these once (bulk, little-endian as Arrow keeps it) and read
      // from them: no null-bitmap and bounds checks per value; reused from batch to batch
      boolean plain;
      long[] tsA = new long[0], depA = new long[0], delayA = new long[0];
      int[] lenA = new int[0], flowA = new int[0], dirOff = new int[0], protoOff = new int[0];
      byte[] dirData = new byte[0], protoData = new byte[0];

      @Override
      public boolean next(NetPacket p) throws IOException {
        while (row >= rows) {
          if (++block >= blocks.size()) return false;
          try {
            if (!reader.loadRecordBatch(blocks.get(block))) return false;
          } catch (IOException | RuntimeException e) {
            throw new TraceException(file + ": damaged record batch " + block + " (" + e.getMessage() + ")", e);
          }
          ts = (BigIntVector) root.getVector("ts_ns");
          dir = (VarCharVector) root.getVector("direction");
          proto = (VarCharVector) root.getVector("protocol");
          len = (IntVector) root.getVector("frame_len");
          flow = (IntVector) root.getVector("flow");
          dep = (BigIntVector) root.getVector("depends_on");
          delay = (BigIntVector) root.getVector("delay_ns");
          rows = root.getRowCount();
          row = 0;
          plain = rows > 0 && ts.getNullCount() == 0 && dir.getNullCount() == 0 && proto.getNullCount() == 0 && len.getNullCount() == 0
              && flow.getNullCount() == 0 && dep.getNullCount() == 0 && delay.getNullCount() == 0;
          if (plain) plain = copyBatch();
        }
        int r = row++;
        byte direction, protocol;
        int l;
        if (plain) {
          int ds = dirOff[r], dl = dirOff[r + 1] - ds;
          direction = dl == 2 && dirData[ds] == 't' && dirData[ds + 1] == 'x' ? NetPacket.TX
              : dl == 2 && dirData[ds] == 'r' && dirData[ds + 1] == 'x' ? NetPacket.RX : (byte) -1;
          if (direction < 0) throw badDirection(r);
          int ps = protoOff[r];
          protocol = protoOff[r + 1] - ps != 3 ? NetPacket.OTHER : protoData[ps] == 't' ? NetPacket.TCP : protoData[ps] == 'u' ? NetPacket.UDP : NetPacket.OTHER;
          l = lenA[r];
          if (l < 14 || l > NetPacket.MAX_FRAME) throw badLength(l);
          p.set(tsA[r], direction, protocol, l);
          p.cpu = flowA[r];
          p.dependsOn = depA[r];
          p.delayNs = delayA[r];
        } else {
          if (ts.isNull(r) || dir.isNull(r) || len.isNull(r)) throw new TraceException(file + ": row " + index + " has a null ts_ns, direction or frame_len");
          // read the short strings in place: no array per row
          int dl = dir.getValueLength(r);
          long ds = dir.getStartOffset(r);
          byte d0 = dl > 0 ? dir.getDataBuffer().getByte(ds) : 0, d1 = dl > 1 ? dir.getDataBuffer().getByte(ds + 1) : 0;
          direction = dl == 2 && d0 == 't' && d1 == 'x' ? NetPacket.TX : dl == 2 && d0 == 'r' && d1 == 'x' ? NetPacket.RX : (byte) -1;
          if (direction < 0) throw badDirection(r);
          protocol = NetPacket.OTHER;
          if (!proto.isNull(r) && proto.getValueLength(r) == 3) {
            byte p0 = proto.getDataBuffer().getByte(proto.getStartOffset(r));
            protocol = p0 == 't' ? NetPacket.TCP : p0 == 'u' ? NetPacket.UDP : NetPacket.OTHER;
          }
          l = len.get(r);
          if (l < 14 || l > NetPacket.MAX_FRAME) throw badLength(l);
          p.set(ts.get(r), direction, protocol, l);
          p.cpu = flow.isNull(r) ? 0 : flow.get(r);
          p.dependsOn = dep.isNull(r) ? -1 : dep.get(r);
          p.delayNs = delay.isNull(r) ? 0 : delay.get(r);
        }
        if (p.dependsOn >= index) throw new TraceException(file + ": row " + index + " depends on row " + p.dependsOn + ", which is not before it");
        index++;
        return true;
      }

      private TraceException badDirection(int r) {
        return new TraceException(file + ": row " + index + ": direction must be tx or rx, not '" + new String(dir.get(r), StandardCharsets.UTF_8) + "'");
      }

      private TraceException badLength(int l) {
        return new TraceException(file + ": row " + index + ": frame_len " + l + " is outside 14.." + NetPacket.MAX_FRAME);
      }

      /** Copies the batch into the arrays; false (read it value by value instead) when its buffers are not laid out as expected. */
      private boolean copyBatch() {
        if (tsA.length < rows) {
          tsA = new long[rows];
          depA = new long[rows];
          delayA = new long[rows];
          lenA = new int[rows];
          flowA = new int[rows];
          dirOff = new int[rows + 1];
          protoOff = new int[rows + 1];
        }
        try {
          longs(ts, tsA);
          longs(dep, depA);
          longs(delay, delayA);
          ints(len.getDataBuffer(), lenA, rows);
          ints(flow.getDataBuffer(), flowA, rows);
          byte[] d = strings(dir, dirOff, dirData), q = strings(proto, protoOff, protoData);
          if (d == null || q == null) return false;
          dirData = d;
          protoData = q;
          return true;
        } catch (RuntimeException e) {
          return false; // a damaged batch: the value-by-value path reports what is wrong with it
        }
      }

      private void longs(BigIntVector v, long[] into) {
        v.getDataBuffer().nioBuffer(0, rows * 8).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(into, 0, rows);
      }

      private void ints(ArrowBuf b, int[] into, int n) {
        b.nioBuffer(0, n * 4).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(into, 0, n);
      }

      /** The column's offsets into {@code off} and its bytes into {@code data} (grown when short); returns the byte array, or null for offsets out of order. */
      private byte[] strings(VarCharVector v, int[] off, byte[] data) {
        ints(v.getOffsetBuffer(), off, rows + 1);
        if (off[0] != 0) return null;
        for (int i = 0; i < rows; i++) if (off[i + 1] < off[i]) return null;
        int n = off[rows];
        if (data.length < n) data = new byte[n];
        v.getDataBuffer().nioBuffer(0, n).get(data, 0, n);
        return data;
      }

      @Override
      public void close() throws IOException {
        try {
          reader.close();
        } finally {
          alloc.close();
        }
      }
    };
  }
}
