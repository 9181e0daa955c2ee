package org.vqsim.replay.reproduce;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of TOML (v1.0) that scenario files use, read with the line of every value kept so that
 * a later check can say where a bad value is: {@code key = value} pairs, {@code [table]} and
 * {@code [[array-of-tables]]} headers (one level, bare names), basic strings ({@code "…"} with
 * {@code \" \\ \n \t} escapes), multi-line basic strings ({@code """…"""}), integers, floats,
 * {@code true}/{@code false} and one-line arrays of those. Comments start with {@code #} outside a
 * string. Anything else is an error naming the line.
 */
public final class Toml {
  private Toml() {}

  /** A malformed file: the message names the line. */
  public static final class TomlException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int line;

    TomlException(int line, String message) {
      super("line " + line + ": " + message);
      this.line = line;
    }

    public int line() { return line; }
  }

  /** A value and the line it was written on. */
  public record Value(Object value, int line) {}

  /** A table: its key/value pairs in file order and the line of its header (0 for the root). */
  public static final class Table {
    final Map<String, Value> values = new LinkedHashMap<>();
    final Map<String, Table> tables = new LinkedHashMap<>();
    final Map<String, List<Table>> arrays = new LinkedHashMap<>();
    final int line;

    Table(int line) { this.line = line; }

    public int line() { return line; }
    public Map<String, Value> values() { return values; }
    public Table table(String name) { return tables.get(name); }
    public Map<String, Table> tables() { return tables; }
    public List<Table> array(String name) { return arrays.getOrDefault(name, List.of()); }
    public Map<String, List<Table>> arrays() { return arrays; }
  }

  public static Table parse(String text) {
    Table root = new Table(0);
    Table current = root;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int lineNo = i + 1;
      String line = stripComment(lines[i], lineNo).strip();
      if (line.isEmpty()) continue;
      if (line.startsWith("[[")) {
        if (!line.endsWith("]]")) throw new TomlException(lineNo, "an array-of-tables header must end with ']]': " + line);
        String name = bareKey(line.substring(2, line.length() - 2).strip(), lineNo);
        if (root.tables.containsKey(name) || root.values.containsKey(name)) throw new TomlException(lineNo, "'" + name + "' is already defined");
        current = new Table(lineNo);
        root.arrays.computeIfAbsent(name, k -> new ArrayList<>()).add(current);
        continue;
      }
      if (line.startsWith("[")) {
        if (!line.endsWith("]")) throw new TomlException(lineNo, "a table header must end with ']': " + line);
        String name = bareKey(line.substring(1, line.length() - 1).strip(), lineNo);
        if (root.tables.containsKey(name) || root.arrays.containsKey(name) || root.values.containsKey(name)) {
          throw new TomlException(lineNo, "table [" + name + "] is defined twice");
        }
        current = new Table(lineNo);
        root.tables.put(name, current);
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) throw new TomlException(lineNo, "expected 'key = value', got '" + line + "'");
      String key = bareKey(line.substring(0, eq).strip(), lineNo);
      String rest = line.substring(eq + 1).strip();
      if (current.values.containsKey(key)) throw new TomlException(lineNo, "key '" + key + "' is defined twice");
      if (rest.startsWith("\"\"\"")) {
        // a multi-line basic string: up to the closing """ (a newline right after the opening is dropped)
        StringBuilder b = new StringBuilder();
        String tail = lines[i].substring(lines[i].indexOf("\"\"\"") + 3);
        int j = i;
        int close = tail.indexOf("\"\"\"");
        if (close < 0) {
          if (!tail.isBlank()) b.append(tail).append('\n');
          for (j = i + 1; j < lines.length; j++) {
            close = lines[j].indexOf("\"\"\"");
            if (close >= 0) {
              b.append(lines[j], 0, close);
              tail = lines[j].substring(close + 3);
              break;
            }
            b.append(lines[j]).append('\n');
          }
          if (j == lines.length) throw new TomlException(lineNo, "multi-line string is not closed with \"\"\"");
        } else {
          b.append(tail, 0, close);
          tail = tail.substring(close + 3);
        }
        if (!stripComment(tail, j + 1).isBlank()) throw new TomlException(j + 1, "unexpected text after the closing \"\"\": " + tail.strip());
        current.values.put(key, new Value(unescape(b.toString().strip(), lineNo), lineNo));
        i = j;
        continue;
      }
      current.values.put(key, new Value(value(rest, lineNo), lineNo));
    }
    return root;
  }

  private static String bareKey(String k, int line) {
    if (!k.matches("[A-Za-z0-9_-]+")) throw new TomlException(line, "'" + k + "' is not a bare key (letters, digits, '_' and '-')");
    return k;
  }

  /** The line without its comment: a '#' outside a basic string. */
  private static String stripComment(String line, int lineNo) {
    boolean in = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (in && c == '\\') {
        i++;
      } else if (c == '"') {
        in = !in;
      } else if (c == '#' && !in) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static Object value(String s, int line) {
    if (s.isEmpty()) throw new TomlException(line, "missing value");
    if (s.startsWith("\"")) {
      int end = closingQuote(s, line);
      if (end != s.length() - 1) throw new TomlException(line, "unexpected text after the string: " + s.substring(end + 1));
      return unescape(s.substring(1, end), line);
    }
    if (s.startsWith("[")) {
      if (!s.endsWith("]")) throw new TomlException(line, "an array must close on the same line with ']'");
      List<Object> items = new ArrayList<>();
      String body = s.substring(1, s.length() - 1).strip();
      int i = 0;
      while (i < body.length()) {
        int next;
        if (body.charAt(i) == '"') {
          int end = closingQuote(body.substring(i), line) + i;
          items.add(unescape(body.substring(i + 1, end), line));
          next = end + 1;
        } else {
          int comma = body.indexOf(',', i);
          next = comma < 0 ? body.length() : comma;
          items.add(value(body.substring(i, next).strip(), line));
        }
        while (next < body.length() && Character.isWhitespace(body.charAt(next))) next++;
        if (next < body.length()) {
          if (body.charAt(next) != ',') throw new TomlException(line, "expected ',' between array items");
          next++;
          while (next < body.length() && Character.isWhitespace(body.charAt(next))) next++;
        }
        i = next;
      }
      return List.copyOf(items);
    }
    if (s.equals("true")) return Boolean.TRUE;
    if (s.equals("false")) return Boolean.FALSE;
    String n = s.replace("_", "");
    try {
      if (n.matches("[+-]?\\d+")) return Long.parseLong(n);
      if (n.matches("[+-]?(\\d+\\.\\d*|\\d*\\.\\d+|\\d+)([eE][+-]?\\d+)?")) return Double.parseDouble(n);
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new TomlException(line, "'" + s + "' is not a string (in double quotes), number, boolean or array");
  }

  private static int closingQuote(String s, int line) {
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') i++;
      else if (c == '"') return i;
    }
    throw new TomlException(line, "string is not closed with '\"'");
  }

  private static String unescape(String s, int line) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i == s.length()) throw new TomlException(line, "a string ends with a lone '\\'");
      char e = s.charAt(i);
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case '\n' -> {
          // line-ending backslash in a multi-line string: join the lines, dropping leading blanks
          while (i + 1 < s.length() && Character.isWhitespace(s.charAt(i + 1))) i++;
        }
        default -> throw new TomlException(line, "unknown escape '\\" + e + "' in a string");
      }
    }
    return b.toString();
  }
}
