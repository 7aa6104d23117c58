package dev.sluice.pipeline.redaction;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.pipeline.redaction.ValueSamples.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * No fail-open: a value that is redacted alone is redacted wherever it stands (in a sentence, a
 * table cell, a CSV field, a JSON string, a URL query, next to other values), and what looks like a
 * value without being one stays, in the same places. Seeded, so a failure names its case.
 */
class NeighbourhoodPropertyTest {
  private static final long SEED = 0x5eed_2026_1125L;
  private static final int CASES = 4000;
  private static final Redactor ALL = Redactor.create();

  /** Where a value stands; {} is the value. */
  private static final String[] SLOTS = {
    "{}",
    "call {} now",
    "({})",
    "\"{}\"",
    "'{}'",
    "[{}]",
    "<{}>",
    "| {} |",
    "|{}|",
    "a,{},b",
    "x;{};y",
    "{\"value\":\"{}\"}",
    "https://app.example/lookup?q={}&page=2",
    "?v={}",
    "{}\n",
    "\t{}\t",
    "- {}",
    "It is {}.",
    "field: {}",
    "see {}, then"
  };

  /** What separates the values of a list, a table row or a CSV line. */
  private static final String[] SEPARATORS = {
    " ", "  ", "\t", "\n", "\r\n", ",", ", ", ";", "|", " | ", " / ", " and "
  };

  private static final List<Function<Random, Sample>> KINDS =
      List.of(
          ValueSamples::card,
          ValueSamples::card,
          ValueSamples::phone,
          ValueSamples::phone,
          ValueSamples::ssn,
          ValueSamples::ipv4,
          ValueSamples::ipv6,
          ValueSamples::email,
          ValueSamples::iban);

  private static Sample anyValue(Random r) {
    return KINDS.get(r.nextInt(KINDS.size())).apply(r);
  }

  @Test
  void aValueIsFoundWholeAndAsItselfInEveryNeighbourhood() {
    Random r = new Random(SEED);
    for (int c = 0; c < CASES; c++) {
      Sample value = anyValue(r);
      String slot = SLOTS[r.nextInt(SLOTS.length)];
      int at = slot.indexOf("{}");
      String text = slot.replace("{}", value.text());
      assertThat(ALL.find(text))
          .as("case %d (seed %d): %s", c, SEED, text)
          .containsExactly(new Finding(value.type(), at, at + value.text().length()));
    }
  }

  @Test
  void valuesSideBySideAreAllRedacted() {
    Random r = new Random(SEED + 1);
    for (int c = 0; c < CASES; c++) {
      String sep = SEPARATORS[r.nextInt(SEPARATORS.length)];
      List<int[]> spans = new ArrayList<>();
      StringBuilder text = new StringBuilder("row ");
      int count = 2 + r.nextInt(3);
      for (int k = 0; k < count; k++) {
        if (k > 0) {
          text.append(sep);
        }
        Sample value = anyValue(r);
        spans.add(new int[] {text.length(), text.length() + value.text().length()});
        text.append(value.text());
      }
      text.append(" end");
      String t = text.toString();
      boolean[] covered = covered(t);
      for (int[] span : spans) {
        for (int k = span[0]; k < span[1]; k++) {
          assertThat(covered[k] || !Character.isLetterOrDigit(t.charAt(k)))
              .as("case %d (seed %d): %s leaves '%s' at %d", c, SEED + 1, t, t.charAt(k), k)
              .isTrue();
        }
      }
    }
  }

  @Test
  void nonValuesStayInEveryNeighbourhood() {
    Random r = new Random(SEED + 2);
    for (int c = 0; c < CASES; c++) {
      String slot = SLOTS[r.nextInt(SLOTS.length)];
      String text = slot.replace("{}", ValueSamples.nonValue(r));
      assertThat(ALL.find(text)).as("case %d (seed %d): %s", c, SEED + 2, text).isEmpty();
    }
  }

  @Test
  void nonValuesSideBySideStay() {
    Random r = new Random(SEED + 3);
    for (int c = 0; c < CASES; c++) {
      String sep = SEPARATORS[r.nextInt(SEPARATORS.length)];
      StringBuilder text = new StringBuilder("ids ");
      int count = 2 + r.nextInt(3);
      for (int k = 0; k < count; k++) {
        if (k > 0) {
          text.append(sep);
        }
        text.append(ValueSamples.nonValue(r));
      }
      assertThat(ALL.find(text.toString()))
          .as("case %d (seed %d): %s", c, SEED + 3, text)
          .isEmpty();
    }
  }

  /**
   * Values and non-values in one list: every value goes, every non-value stays. Not joined by a
   * single space: "3688 5618 8540 5923 362 25 1409" is an order number and an SSN, or a valid
   * 19-digit card and "25 1409"; both readings are right, and the redactor takes the card.
   */
  @Test
  void valuesAmongNonValuesAreRedactedAndTheRestStays() {
    Random r = new Random(SEED + 4);
    for (int c = 0; c < CASES; c++) {
      String sep = SEPARATORS[1 + r.nextInt(SEPARATORS.length - 1)];
      List<int[]> values = new ArrayList<>();
      List<int[]> others = new ArrayList<>();
      StringBuilder text = new StringBuilder("list ");
      int count = 2 + r.nextInt(4);
      for (int k = 0; k < count; k++) {
        if (k > 0) {
          text.append(sep);
        }
        boolean value = r.nextBoolean();
        String item = value ? anyValue(r).text() : ValueSamples.nonValue(r);
        (value ? values : others).add(new int[] {text.length(), text.length() + item.length()});
        text.append(item);
      }
      String t = text.toString();
      boolean[] covered = covered(t);
      for (int[] span : values) {
        for (int k = span[0]; k < span[1]; k++) {
          assertThat(covered[k] || !Character.isLetterOrDigit(t.charAt(k)))
              .as("case %d (seed %d): %s leaves '%s' at %d", c, SEED + 4, t, t.charAt(k), k)
              .isTrue();
        }
      }
      for (int[] span : others) {
        for (int k = span[0]; k < span[1]; k++) {
          assertThat(covered[k])
              .as("case %d (seed %d): %s redacts '%s' at %d", c, SEED + 4, t, t.charAt(k), k)
              .isFalse();
        }
      }
    }
  }

  private static boolean[] covered(String text) {
    boolean[] covered = new boolean[text.length()];
    for (Finding f : ALL.find(text)) {
      for (int k = f.start(); k < f.end(); k++) {
        covered[k] = true;
      }
    }
    return covered;
  }
}
