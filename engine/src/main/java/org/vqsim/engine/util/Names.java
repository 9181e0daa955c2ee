package org.vqsim.engine.util;

import java.util.Collection;

/** Suggestions for mistyped names ("did you mean …?"). */
public final class Names {
  private Names() {}

  /** The candidate closest to {@code name} by edit distance, else the only one that begins with it, or null when none is reasonably close. */
  public static String closest(String name, Collection<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(name.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    if (best != null && bestD <= Math.max(2, best.length() / 3)) return best;
    // a name cut short ("power9" for "power9-kvm"): the one candidate it begins
    String prefixOf = null;
    String n = name.toLowerCase(java.util.Locale.ROOT);
    for (String c : candidates) {
      if (n.length() >= 3 && c.toLowerCase(java.util.Locale.ROOT).startsWith(n)) {
        if (prefixOf != null) return null;
        prefixOf = c;
      }
    }
    return prefixOf;
  }

  /** " (did you mean X?)" or "", for appending to an error message. */
  public static String didYouMean(String name, Collection<String> candidates) {
    String c = closest(name, candidates);
    return c == null ? "" : " (did you mean '" + c + "'?)";
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) prev[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
