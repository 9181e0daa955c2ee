package org.vqsim.replay.reproduce;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The modelled metric of a figure: arithmetic over the summary columns of the scenario's runs,
 * written {@code RUN.COLUMN} ({@code bounce.iops / direct.iops}, {@code 100 * (1 - b.iops / d.iops)}),
 * with {@code + - * /}, parentheses, numbers and {@code max(…)}, {@code min(…)}. Parsed once when the
 * scenario is loaded, so a typo fails before anything runs.
 */
public final class Formula {
  private sealed interface Node permits Num, Ref, Op, Neg, Call {}

  private record Num(double v) implements Node {}

  private record Ref(String run, String column) implements Node {}

  private record Op(char op, Node a, Node b) implements Node {}

  private record Neg(Node a) implements Node {}

  private record Call(String fn, List<Node> args) implements Node {}

  private final String text;
  private final Node root;
  private final List<Ref> refs = new ArrayList<>();

  private Formula(String text) {
    this.text = text;
    this.pos = 0;
    this.root = expr();
    skip();
    if (pos != text.length()) throw new IllegalArgumentException("unexpected '" + text.substring(pos) + "' in formula '" + text + "'");
  }

  public static Formula parse(String text) {
    return new Formula(text);
  }

  public String text() { return text; }

  /** The runs the formula reads, in order of first use. */
  public Set<String> runs() {
    Set<String> s = new TreeSet<>();
    for (Ref r : refs) s.add(r.run());
    return s;
  }

  /** Each RUN.COLUMN reference as a pair, to check the columns exist. */
  public List<String[]> references() {
    List<String[]> l = new ArrayList<>();
    for (Ref r : refs) l.add(new String[] {r.run(), r.column()});
    return l;
  }

  /** The value, reading each RUN.COLUMN through {@code column}. */
  public double eval(BiFunction<String, String, Double> column) {
    return eval(root, column);
  }

  private static double eval(Node n, BiFunction<String, String, Double> column) {
    if (n instanceof Num x) return x.v();
    if (n instanceof Ref r) return column.apply(r.run(), r.column());
    if (n instanceof Neg x) return -eval(x.a(), column);
    if (n instanceof Op o) {
      double a = eval(o.a(), column), b = eval(o.b(), column);
      return switch (o.op()) {
        case '+' -> a + b;
        case '-' -> a - b;
        case '*' -> a * b;
        default -> a / b;
      };
    }
    Call c = (Call) n;
    boolean max = c.fn().equals("max");
    double v = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (Node a : c.args()) v = max ? Math.max(v, eval(a, column)) : Math.min(v, eval(a, column));
    return v;
  }

  // ---------------------------------------------------------------- recursive descent

  private int pos;

  private void skip() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
  }

  private boolean eat(char c) {
    skip();
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private Node expr() {
    Node n = term();
    while (true) {
      if (eat('+')) n = new Op('+', n, term());
      else if (eat('-')) n = new Op('-', n, term());
      else return n;
    }
  }

  private Node term() {
    Node n = unary();
    while (true) {
      if (eat('*')) n = new Op('*', n, unary());
      else if (eat('/')) n = new Op('/', n, unary());
      else return n;
    }
  }

  private Node unary() {
    if (eat('-')) return new Neg(unary());
    return atom();
  }

  private Node atom() {
    skip();
    if (eat('(')) {
      Node n = expr();
      if (!eat(')')) throw error("missing ')'");
      return n;
    }
    int start = pos;
    if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
      while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.' || text.charAt(pos) == 'e')) pos++;
      try {
        return new Num(Double.parseDouble(text.substring(start, pos)));
      } catch (NumberFormatException e) {
        throw error("'" + text.substring(start, pos) + "' is not a number");
      }
    }
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_' || text.charAt(pos) == '-')) pos++;
    String name = text.substring(start, pos);
    if (name.isEmpty()) throw error(pos < text.length() ? "unexpected '" + text.charAt(pos) + "'" : "the formula ends too early");
    if (eat('(')) {
      if (!name.equals("max") && !name.equals("min")) throw error("unknown function '" + name + "' (max and min exist)");
      List<Node> args = new ArrayList<>();
      do args.add(expr()); while (eat(','));
      if (!eat(')')) throw error("missing ')' after the arguments of " + name);
      return new Call(name, args);
    }
    if (pos >= text.length() || text.charAt(pos) != '.') throw error("'" + name + "' must be RUN.COLUMN (e.g. direct.iops)");
    pos++;
    int cstart = pos;
    while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
    String column = text.substring(cstart, pos);
    if (column.isEmpty()) throw error("a column name must follow '" + name + ".'");
    Ref r = new Ref(name, column);
    refs.add(r);
    return r;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " in formula '" + text + "'");
  }
}
