package dev.sluice.schemas;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who a request is from, as established by verifying its credential. Every stage after
 * authentication carries this instead of the credential.
 *
 * <p>Both ids are restricted to a small ASCII set because they travel far: the tenant becomes a
 * record key, a state-store key, a policy file name ({@code tenants/<tenant>.yaml}) and a log
 * field, and both appear in audit records. Outside that set hide bidi controls, zero-width and
 * look-alike characters (two tenants an auditor cannot tell apart) and path segments. Ids are
 * compared exactly: {@code Acme} and {@code acme} are two tenants.
 *
 * @param tenant the tenant the caller belongs to (the {@code tenant} claim); see {@link
 *     #isValidTenant}
 * @param subject the caller within the tenant (the {@code sub} claim), or {@code ""} when absent;
 *     see {@link #isValidSubject}
 */
public record Principal(String tenant, String subject) {
  /** Longest tenant id. */
  public static final int MAX_TENANT_CHARS = 128;

  /** Longest subject. */
  public static final int MAX_SUBJECT_CHARS = 256;

  /** The tenant rule in words, for messages that refuse one. */
  public static final String TENANT_RULE =
      "1 to " + MAX_TENANT_CHARS + " of A-Z a-z 0-9 . _ : @ -, not - or dots alone";

  /** The subject rule in words, for messages that refuse one. */
  public static final String SUBJECT_RULE =
      "1 to " + MAX_SUBJECT_CHARS + " of A-Z a-z 0-9 . _ : @ | / + -";

  private static final Pattern TENANT =
      Pattern.compile("[A-Za-z0-9._:@-]{1," + MAX_TENANT_CHARS + "}");

  /**
   * The tenant's characters plus those identity providers put in subjects: {@code |} (Auth0's
   * {@code auth0|123}), {@code /} (GitHub Actions' {@code repo:org/repo:ref:...}, SPIFFE ids) and
   * {@code +} (sub-addressed e-mail addresses). A subject is never a key or a file name.
   */
  private static final Pattern SUBJECT =
      Pattern.compile("[A-Za-z0-9._:@|/+-]{1," + MAX_SUBJECT_CHARS + "}");

  /**
   * Tenant ids the set allows but that are taken: {@code -} is the audit log's key for requests
   * refused before their tenant was known, and dots alone ({@code .}, {@code ..}) name directories,
   * not policy files.
   */
  private static final Pattern RESERVED_TENANT = Pattern.compile("-|\\.+");

  public Principal {
    Objects.requireNonNull(tenant, "tenant");
    subject = subject == null ? "" : subject;
    if (!isValidTenant(tenant)) {
      throw new IllegalArgumentException("a tenant is " + TENANT_RULE);
    }
    if (!subject.isEmpty() && !isValidSubject(subject)) {
      throw new IllegalArgumentException("a subject is " + SUBJECT_RULE);
    }
  }

  /**
   * Whether {@code id} may name a tenant: 1 to {@value #MAX_TENANT_CHARS} of {@code A-Z a-z 0-9 . _
   * : @ -}, and neither {@code -} alone nor dots alone ({@code .}, {@code ..}).
   */
  public static boolean isValidTenant(String id) {
    return id != null && TENANT.matcher(id).matches() && !RESERVED_TENANT.matcher(id).matches();
  }

  /**
   * Whether {@code id} may be a subject: 1 to {@value #MAX_SUBJECT_CHARS} of {@code A-Z a-z 0-9 . _
   * : @ | / + -}.
   */
  public static boolean isValidSubject(String id) {
    return id != null && SUBJECT.matcher(id).matches();
  }
}
