package org.vqsim.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system with a scheme of its own, {@code vqtest:///path}, over local files: it stands
 * for hdfs: or s3a: in the tests, the kind of URI an executor reads itself through Hadoop rather
 * than receiving it from the driver. Registered in META-INF/services like Hadoop's own.
 */
public class VqtestFileSystem extends RawLocalFileSystem {
  @Override
  public String getScheme() {
    return "vqtest";
  }

  @Override
  public URI getUri() {
    return URI.create("vqtest:///");
  }
}
