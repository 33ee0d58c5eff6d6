package gt.quetzal.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The text rules both checkers share; each case is one rule. */
class VoteTextTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "plain accents      | Malacates Trébol Shop | ",
        "emoji              | Banda 🎸             | ",
        "too long           | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | TOO_LONG",
        "tab                | a\tb                  | CONTROL",
        "markup             | <b>                   | MARKUP",
      })
  void eachRuleIsItsOwnProblem(String label, String text, VoteText.Problem expected) {
    assertThat(VoteText.check(text.strip(), 30)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "U+{0}")
  @CsvSource({"200B", "200C", "200D", "FEFF", "202E", "202A", "2066", "2069", "00AD", "2028", "2029"})
  void invisibleFormattingCharactersAreRefused(String hex) {
    String name = "Queen" + new String(Character.toChars(Integer.parseInt(hex, 16)));
    assertThat(VoteText.check(name, 200)).isEqualTo(VoteText.Problem.INVISIBLE);
  }

  @ParameterizedTest(name = "[{index}] {0} → {1}")
  @CsvSource({"v-1,true", "01HZX.a_b:c-d,true", "'',false", "with space,false", "ñ,false", "aaaaaaaaaaaaaaaaaaaaa,false"})
  void voteIdsHaveOneShape(String id, boolean ok) {
    assertThat(VoteText.isVoteId(id, 20)).isEqualTo(ok);
  }

  @Test
  void theVoteIdCheckAgreesWithItsPatternOnEveryChar() {
    for (char c = 0; c < Character.MAX_VALUE; c++) {
      String id = "a" + c + "b";
      assertThat(VoteText.isVoteId(id, 20))
          .as("U+%04X", (int) c)
          .isEqualTo(VoteText.VOTE_ID.matcher(id).matches());
    }
  }
}
