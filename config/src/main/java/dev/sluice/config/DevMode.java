package dev.sluice.config;

/**
 * {@code DEV_MODE}: a local run's relaxation, and the defaults that keep it local. On, the token
 * verifier accepts the fixed dev token, and the ingress and the pipeline's health port listen on
 * the loopback interface unless {@code BIND_ADDRESS} says otherwise ({@link BindAddress}). Read
 * here once, so both mean the same switch.
 *
 * @param on whether dev mode is on
 */
public record DevMode(boolean on) {
  public static DevMode from(Env env) {
    return new DevMode(env.getBoolean("DEV_MODE", false));
  }
}
