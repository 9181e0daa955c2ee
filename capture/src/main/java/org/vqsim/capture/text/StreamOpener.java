package org.vqsim.capture.text;

import java.io.IOException;
import java.io.InputStream;

/** Opens a trace's bytes anew (decompressed): readers that need two passes take one of these. */
@FunctionalInterface
public interface StreamOpener {
  InputStream open() throws IOException;
}
