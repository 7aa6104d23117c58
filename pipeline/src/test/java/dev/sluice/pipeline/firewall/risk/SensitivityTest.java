package dev.sluice.pipeline.firewall.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SensitivityTest {

  @Test
  void higherLevelBlocksAtLowerScore() {
    for (int level = Sensitivity.MIN_LEVEL; level < Sensitivity.MAX_LEVEL; level++) {
      assertThat(Sensitivity.blockingScore(level + 1))
          .as("level %d vs %d", level + 1, level)
          .isLessThan(Sensitivity.blockingScore(level));
    }
    assertThat(Sensitivity.blockingScore(Sensitivity.MAX_LEVEL)).isGreaterThan(0.0);
    assertThat(Sensitivity.blockingScore(Sensitivity.MIN_LEVEL)).isLessThanOrEqualTo(1.0);
  }

  @Test
  void defaultIsFive() {
    assertThat(Sensitivity.DEFAULT_LEVEL).isEqualTo(5);
    assertThat(Sensitivity.blockingScore(5)).isEqualTo(0.60);
  }

  @Test
  void blocksIsMonotoneInLevel() {
    RiskAssessment middling = new RiskAssessment(0.5, List.of("code_exfiltration"));
    boolean blockedBefore = false;
    for (int level = Sensitivity.MIN_LEVEL; level <= Sensitivity.MAX_LEVEL; level++) {
      boolean blocked = Sensitivity.blocks(middling, level);
      assertThat(blocked || !blockedBefore).as("level %d", level).isTrue();
      blockedBefore = blocked;
    }
    assertThat(Sensitivity.blocks(middling, 1)).isFalse();
    assertThat(Sensitivity.blocks(middling, 10)).isTrue();
    assertThat(Sensitivity.blocks(RiskAssessment.NONE, 10)).isFalse();
  }

  @Test
  void levelsOutsideOneToTenAreRejected() {
    assertThatThrownBy(() -> Sensitivity.blockingScore(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Sensitivity.blockingScore(11))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
