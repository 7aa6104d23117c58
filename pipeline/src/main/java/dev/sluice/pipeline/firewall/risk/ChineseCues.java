package dev.sluice.pipeline.firewall.risk;

import static dev.sluice.pipeline.firewall.risk.InjectionCues.EMAIL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.URL_TARGET;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.clause;
import static dev.sluice.pipeline.firewall.risk.InjectionCues.document;

import java.util.List;

/**
 * The injection cue families in Chinese, simplified and traditional characters. Chinese has no
 * spaces: patterns match on characters, the trigger words that gate them are two-character words
 * (the scorer looks up every pair of adjacent ideographs), and a sentence ends at 。 as well as at
 * the ASCII marks NFKC makes of full-width punctuation (，becomes ","). An imperative has no mark of
 * its own, so cues that need one look for the start of a clause or a "请" (please).
 */
final class ChineseCues {

  private ChineseCues() {}

  // The start of a clause, with the politeness or emphasis an instruction opens with.
  private static final String LEAD =
      "(?:^|[,:;、])\\s*(?:请|請|也|还要|還要|另外|并且|並且|务必|務必|一定要|记得|記得|别忘了|別忘了" + "|同时|同時|然后|然後)?";

  private static final String IGNORE_VERB =
      "(?:忽略|忽视|忽視|无视|無視|不要理会|不要理會|不用理会|别理会|別理會|不理会|忘记|忘記|忘掉|抛开|拋開"
          + "|抛弃|拋棄|放弃|放棄|跳过|跳過|绕过|繞過|无需遵守|無需遵守|不要遵守|不再遵守|不要遵循|不再遵循"
          + "|停止遵循|停止遵守|覆盖|覆蓋|推翻|撤销|撤銷)";

  private static final String IGNORE_TRIGGERS =
      "忽略 忽视 忽視 无视 無視 理会 理會 忘记 忘記 忘掉 抛开 拋開 抛弃 拋棄 放弃 放棄 跳过 跳過 绕过 繞過" + " 遵守 遵循 覆盖 覆蓋 推翻 撤销 撤銷";

  private static final String EARLIER =
      "(?:之前|以前|先前|此前|早前|前面|上面|以上|上述|前述|原来|原來|原有|原始|初始|最初|所有|全部|一切" + "|系统|系統|你的|您的|开发者|開發者|安全)";

  private static final String RULES =
      "(?:指令|指示|命令|规则|規則|提示词|提示詞|提示|设定|設定|限制|约束|約束|准则|準則|规定|規定|指引|守则" + "|守則|政策)";

  private static final String ANSWER = "(?:回答|回复|回覆|答复|答覆|答案|响应|響應|回应|回應)";

  private static final String ANSWER_TRIGGERS = "回答 回复 回覆 答复 答覆 答案 响应 響應 回应 回應 作答";

  private static final String SEND =
      "(?:发送|發送|发到|發到|发给|發給|转发|轉發|上传|上傳|提交|传送|傳送|传到|傳到|泄露|洩露|复制到" + "|複製到|抄送|贴到|貼到|附加到)";

  private static final String SEND_AFTER_OBJECT =
      "(?:发送|發送|发到|發到|发给|發給|转发|轉發|上传|上傳|提交|传送|傳送|传到|傳到|复制|複製|贴|貼" + "|附加)";

  private static final String SECRETS =
      "(?:对话|對話|聊天记录|聊天記錄|会话|會話|历史记录|歷史記錄|系统提示词|系統提示詞|提示词|提示詞"
          + "|(?:你的|您的)(?:指令|提示)|密码|密碼|凭据|憑據|凭证|憑證|密钥|密鑰|令牌|token|cookie"
          + "|个人信息|個人信息|個人資料|个人数据|用户(?:的)?(?:数据|信息|邮箱|地址|资料)|用戶(?:的)?"
          + "(?:數據|資料|信息|郵箱|地址)|以上所有内容|上面的内容)";

  private static final String SEND_TRIGGERS =
      "发送 發送 发到 發到 发给 發給 转发 轉發 上传 上傳 提交 传送 傳送 传到 傳到 泄露 洩露 复制 複製 抄送" + " 贴到 貼到 附加";

  private static final String EXFIL =
      "(?:"
          + SEND
          + "[^。\\n]{0,30}?"
          + SECRETS
          + "|(?:把|将|將)[^。\\n]{0,10}?"
          + SECRETS
          + "[^。\\n]{0,20}?"
          + SEND_AFTER_OBJECT
          + ")[^。\\n]{0,40}?";

  static List<RiskCue> common() {
    return List.of(
        // --- Overriding earlier instructions.
        clause(
            "ignore_previous_instructions",
            IGNORE_TRIGGERS,
            0.9,
            IGNORE_VERB
                + "(?:掉)?[^。\\n]{0,12}?"
                + EARLIER
                + "[^。\\n]{0,10}?"
                + RULES
                + "|"
                + IGNORE_VERB
                + "(?:掉)?(?:你)?(?:之前|以前|先前|此前|前面|上面|以上|上述)(?:的)?(?:所有|全部|一切)(?:的)?"
                + "(?:内容|內容|文字|信息|訊息|对话|對話|东西|東西|话|話)?(?:$|[,.!?;:。、\\s]|并|並|然后"
                + "|然後|现在|現在|接下来|接下來|从现在|從現在)|"
                + IGNORE_VERB
                + "(?:掉)?(?:所有|全部|一切)(?:之前|以前|先前|前面|上面|以上|上述)(?:的)?(?:内容|內容|文字"
                + "|信息|訊息|对话|對話|东西|東西|话|話)"),

        // --- Revealing the system prompt or secrets.
        clause(
            "reveal_system_prompt",
            "提示 指令 设定 設定 规则 規則 密码 密碼 口令 秘密",
            0.85,
            "(?:告诉我|告訴我|告诉|告訴|显示|顯示|输出|輸出|打印|透露|泄露|洩露|泄漏|说出|說出|讲出|講出"
                + "|给我看|給我看|展示|列出|重复|重複|复述|復述|揭示|公开|公開|分享|写出|寫出|念出|背诵|背誦"
                + "|发给我|發給我|提供)[^。\\n]{0,10}?(?:(?:你|您)(?:的)?(?:系统|系統)?(?:提示词|提示詞"
                + "|提示|指令|设定|設定|规则|規則|初始指令|原始指令|隐藏指令|隱藏指令|密码|密碼|口令|秘密)"
                + "|(?:系统|系統)(?:提示词|提示詞|指令)|(?:初始|原始|隐藏|隱藏|秘密|最初)(?:的)?(?:指令"
                + "|提示词|提示詞|提示)|秘密(?:密码|密碼|口令|单词|單詞)|(?:那个|那個|这个|這個)?(?:密码"
                + "|密碼|口令)是什么)|(?:(?:你|您)的)?(?:系统|系統)(?:提示词|提示詞|指令)(?:是什么|是什麼"
                + "|是啥|的内容|的內容)|(?:你|您)的(?:指令|提示词|提示詞|初始指令|原始指令|设定|設定)(?:是什么"
                + "|是什麼|是啥)"),
        clause(
            "reveal_secret",
            "告知 要求 命令 吩咐 指示 叮嘱 叮囑 被告 被要 被命 被设 被設",
            0.8,
            "(?:告知|要求|命令|吩咐|指示|叮嘱|叮囑)(?:过|過)?(?:你|您)(?:不要|不能|不得|别|別)(?:透露|泄露"
                + "|洩露|告诉|告訴|说出|說出|分享)|(?:你|您)被(?:告知|要求|命令|设定|設定)(?:为|為)?"
                + "(?:不要|不能|不得)(?:透露|泄露|洩露|告诉|告訴|说出|說出|分享)"),

        // --- Role and persona switches.
        clause(
            "role_switch",
            "现在 現在 今以 自此 今后 今後 不再 不是 名字 名称 名稱 角色 身份 人设 人設 保持 脱离 脫離 跳出",
            0.7,
            "(?:从现在(?:开始|起)|從現在(?:開始|起)|从今以后|從今以後|自此|今后|今後)[,]?(?:你|您)"
                + "(?:将|將|要|必须|必須|就)?(?:扮演|充当|充當|假装|假裝|模仿|以[^。\\n,]{1,12}?(?:身份|角色)"
                + "|的身份是|的角色是|不再是|只回答|只回复|只能)|(?:你|您)(?:现在|現在)?(?:不再是|已经不是"
                + "|已經不是)(?:一个|一個|一名)?(?:ai|人工智能|助手|助理|语言模型|語言模型|聊天机器人|聊天機器人"
                + "|ai助手|模型)|(?:你|您)的新(?:名字|名称|名稱|角色|身份|人设|人設)(?:是|叫)|(?:保持|不要脱离"
                + "|不要脫離|别脱离|別脫離|不要跳出|别跳出|別跳出)(?:你的|您的)?(?:角色|人设|人設)"),
        clause("role_switch", "假装 假裝 装作 裝作", 0.6, LEAD + "(?:假装|假裝|装作|裝作)(?:你|您|自己)(?:是|为|為)"),
        clause(
            "jailbreak_persona",
            "模式 你是 現在 现在 dan",
            0.85,
            "(?:开发者|開發者|越狱|越獄|上帝|无限制|無限制|dan)模式|(?:你是|你现在是|你現在是)\\s*dan\\b"),

        // --- Fake system messages.
        document(
            "fake_system_message",
            "系统 系統 用户 用戶",
            0.85,
            "(?m)^[ \\t]{0,8}(?:【(?:系统|系統)(?:消息|訊息|提示词|提示詞|指令)?】|\\[(?:系统|系統)"
                + "(?:消息|訊息|提示词|提示詞|指令)?\\]|<(?:系统|系統)>|#{1,6}[ \\t]*(?:系统|系統)"
                + "(?:消息|訊息|提示词|提示詞|指令)?[ \\t]*:?[ \\t]*$)|(?m)^[ \\t]{0,8}(?:系统|系統)"
                + "(?:消息|訊息|指令|提示词|提示詞)[ \\t]*:|(?m)^[ \\t]{0,8}(?:系统|系統)[ \\t]*:"
                + "[^\\n]{0,80}?(?:你|您|忽略|必须|必須|助手)|(?:用户|用戶)(?:输入|輸入|消息|訊息)"
                + "(?:结束|結束)"),

        // --- Exfiltration.
        // Not the domain of an e-mail address: that is exfiltration_email.
        clause("exfiltration_url", SEND_TRIGGERS, 0.8, EXFIL + "(?<![@.a-z0-9_-])" + URL_TARGET),
        clause("exfiltration_email", SEND_TRIGGERS, 0.8, EXFIL + EMAIL_TARGET),

        // --- Text addressed to the model rather than to the document's reader.
        clause(
            "instruction_to_assistant",
            "ai 人工 助手 助理 语言 語言 模型 聊天 如果 假如 总结 總結 阅读 閱讀 处理 處理 分析 读取 讀取 智能",
            0.75,
            "(?:给|給|致|写给|寫給)(?:ai|人工智能|助手|助理|语言模型|語言模型|聊天机器人|聊天機器人|大模型"
                + "|模型)(?:的)?(?:说明|說明|提示|指令|留言|备注|備註|话|話)?\\s*[:,]|(?:如果|假如|若)"
                + "(?:你|您)是(?:一个|一個|一名)?(?:ai|人工智能|助手|助理|语言模型|語言模型|大语言模型"
                + "|大語言模型|聊天机器人|聊天機器人|大模型|智能体|智能體)|(?:亲爱的|親愛的)(?:ai|助手|助理"
                + "|模型)|(?:当|當|在)(?:你|您)(?:总结|總結|阅读|閱讀|处理|處理|分析|读取|讀取)(?:这|這"
                + "|此|该|該)(?:封|篇|份|个|個)?(?:邮件|郵件|文档|文檔|文件|页面|頁面|文本|消息|訊息|文章)"),
        clause(
            "instruction_to_assistant",
            ANSWER_TRIGGERS,
            0.7,
            "(?:^|[,:;、])\\s*(?:(?:请|請|务必|務必|一定要|记得|記得|必须|必須)(?:在|于|於)(?:你的"
                + "|您的|每个|每個|每一个|每一個|每条|每條|每次|所有)?|(?:在|于|於)(?:你的|每个|每個"
                + "|每一个|每一個|每条|每條|每次|所有))"
                + ANSWER
                + "(?:中|里|裡|里面|裡面|末尾|结尾|結尾|开头|開頭|最后|最後)|(?:你的|您的)"
                + ANSWER
                + "(?:必须|必須|应该|應該|应当|應當|需要|要|务必|務必)(?:包含|包括|以|用|提到|提及|写|寫"
                + "|含有|加上|附上|推荐|推薦)|"
                + LEAD
                + "(?:只|仅|僅|只能|一律|始终|始終|全部)?(?:用|以|使用)(?:英文|英语|英語|法语|法語|法文"
                + "|德语|德語|德文|西班牙语|西班牙語|日语|日語|日文|俄语|俄語|韩语|韓語|拉丁语|文言文|繁体字"
                + "|繁體字|大写字母|大寫字母|表情符号|表情符號|摩斯密码|摩斯密碼|诗歌|詩歌|押韵|押韻)(?:来|來)?"
                + "(?:回答|回复|回覆|答复|作答|回应|回應)|(?:^|[,:;、])\\s*(?:在)?(?:回答|回复|回覆"
                + "|作答)(?:之前|以前|前)"),
        clause(
            "instruction_to_assistant",
            "用户 用戶 使用 读者 讀者 访客 訪客",
            0.65,
            LEAD
                + "(?:告诉|告訴|通知|提醒|劝|勸|说服|說服|鼓励|鼓勵|敦促)(?:所有)?(?:的)?(?:用户|用戶|使用者"
                + "|读者|讀者|访客|訪客)|"
                + LEAD
                + "(?:向|对|對|跟)(?:所有)?(?:的)?(?:用户|用戶|使用者|读者|讀者)(?:说|說|推荐|推薦|表示"
                + "|强调|強調)"));
  }

  /** Only a retrieved document, not the user, has no business telling the model who it is. */
  static List<RiskCue> retrievedContextOnly() {
    return List.of(
        clause(
            "role_switch",
            "现在 現在",
            0.7,
            "(?:你|您)(?:现在|現在)(?:是|就是|成为了|成為了|变成了|變成了)(?:一个|一個|一名)?[^。\\n,]{0,8}?"
                + "(?:ai|人工智能|助手|助理|机器人|機器人|角色|模型|dan)|(?:从现在(?:开始|起)|從現在(?:開始"
                + "|起))[,]?(?:你|您)(?:是|就是)"),
        clause("role_switch", "扮演 充当 充當", 0.6, LEAD + "(?:扮演|充当|充當)(?:一个|一個|一名)?"));
  }
}
