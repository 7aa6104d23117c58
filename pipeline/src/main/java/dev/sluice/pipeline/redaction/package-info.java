/**
 * Response (and optionally prompt) redaction: pure functions, no Kafka.
 *
 * <p>{@link dev.sluice.pipeline.redaction.Redactor} replaces PII and secrets with {@code
 * [REDACTED:<TYPE>]} and returns a {@link dev.sluice.pipeline.redaction.RedactionReport} (counts by
 * type) for {@code meta.redactions} and the audit record. How each rule family decides:
 *
 * <ul>
 *   <li>Numbers: a digit run (digits joined by single spaces, dashes, dots or a parenthesised area
 *       code) is read once and classified as a whole: four dotted octets are IPv4; 3-2-4 is an SSN
 *       when its area, group and serial are in issued ranges (a bare nine-digit number only after
 *       "SSN"); 13-19 digits in card grouping are a card when the issuer prefix fits and Luhn
 *       passes; otherwise a phone number when its shape is one (a leading {@code +} or {@code 00};
 *       7-12 digits in 2-6 groups; a bare 10-digit North American number), unless it is a date, a
 *       year list, a ZIP+4, or follows "Apt", "Suite", "#" or a currency sign.
 *   <li>IBAN: country code with its registry length, optional groups of four, mod-97.
 *   <li>Email: around each {@code @}, a bounded local part and a domain with an alphabetic TLD.
 *   <li>IPv6: around a colon, eight groups or one {@code ::}, with at least one digit.
 *   <li>Provider keys at a word start by prefix and documented shape ({@code
 *       internals.TokenFormats}: 222 formats of 96 providers, grouped by provider, with GitHub's
 *       and npm's CRC32 checksum); tokens with a marker inside ({@code .atlasv1.}, Azure {@code
 *       Q~}, Mailchimp {@code -us}, Telegram {@code :A}); keys without a prefix where the assigned
 *       name names their provider and the value has its exact shape ({@code
 *       internals.KeywordSecrets}); webhook URLs; JWTs; PEM private-key blocks. The big providers
 *       have a type each, the long tail shares {@link
 *       dev.sluice.pipeline.redaction.RedactionType#API_KEY}; every secret {@link
 *       dev.sluice.pipeline.redaction.Finding} names its provider.
 *   <li>Context rules: {@code Bearer} tokens; {@code Basic} credentials that decode to {@code
 *       user:password}; the user-info of {@code scheme://user:password@host}; and values assigned
 *       to password/secret/token/api_key-like names when they look random (two character classes,
 *       at least 3 bits of entropy per character, not an identifier, call, template or
 *       placeholder). An AWS-named 40-character value is an AWS secret key.
 * </ul>
 *
 * <p>Overlaps keep the most specific match (a provider key over a generic assignment, a checksum
 * over a phone), then the longest. {@code dev.sluice.tools.eval.RedactionEval} (module {@code
 * tools}) measures the PII rules on the development set and the secret rules on the project's
 * secrets corpus, per provider.
 */
package dev.sluice.pipeline.redaction;
