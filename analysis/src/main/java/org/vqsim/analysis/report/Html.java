package org.vqsim.analysis.report;

/** The few HTML helpers the report needs: escaping and a string builder with tag shortcuts. */
final class Html {
  private final StringBuilder b = new StringBuilder(1 << 16);

  static String esc(String s) {
    if (s == null) return "";
    StringBuilder o = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> o.append("&lt;");
        case '>' -> o.append("&gt;");
        case '&' -> o.append("&amp;");
        case '"' -> o.append("&quot;");
        case '\'' -> o.append("&#39;");
        default -> o.append(c);
      }
    }
    return o.toString();
  }

  /** Appends raw (already escaped) markup. */
  Html raw(String s) {
    b.append(s);
    return this;
  }

  /** Appends escaped text. */
  Html text(String s) {
    b.append(esc(s));
    return this;
  }

  /** {@code <tag attrs>escaped text</tag>}. */
  Html el(String tag, String attrs, String text) {
    b.append('<').append(tag);
    if (attrs != null && !attrs.isEmpty()) b.append(' ').append(attrs);
    b.append('>').append(esc(text)).append("</").append(tag).append('>');
    return this;
  }

  Html open(String tag, String attrs) {
    b.append('<').append(tag);
    if (attrs != null && !attrs.isEmpty()) b.append(' ').append(attrs);
    b.append('>');
    return this;
  }

  Html close(String tag) {
    b.append("</").append(tag).append(">\n");
    return this;
  }

  int length() { return b.length(); }

  @Override
  public String toString() { return b.toString(); }
}
