//! Notifications as a message: the text of all the notices pending for a chat (`words::notices`) with
//! their buttons (`keyboards::notices`). `watch/`'s outbox renders through [`notices_reply`], in the
//! chat's language and time zone, so a notification reads like the rest of the chat.

use super::keyboards;
use super::types::Reply;
use super::words;
use crate::kuaidi100::Lang;
use crate::watch::Notice;
use crate::zone::Zone;

/// One message for all the notices pending for a chat, with 🔄 and 🔕 buttons per parcel still watched.
pub fn notices_reply(notices: &[Notice], lang: Lang, zone: &Zone, sandbox: bool) -> Reply {
    Reply {
        html: words::notices::notices_html(notices, lang, zone, sandbox),
        buttons: keyboards::notices(notices, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::{NoticeKind, NoticeLine};

    fn notice(kind: NoticeKind, number: &str) -> Notice {
        Notice {
            courier: "yuantong".into(),
            number: number.into(),
            kind,
            state: Some("5".into()),
            previous_state: Some("1002".into()),
            new_lines: vec![NoticeLine {
                time: "2026-11-02 09:10:00".into(),
                place: Some("杭州".into()),
                context: "派件中 <快递员> & co".into(),
                area_code: None,
                area_pinyin: None,
            }],
            lines_lang: None,
            more_lines: 2,
            return_code: None,
            previous_courier: None,
            expected_at: None,
            previous_expected_at: None,
            label: None,
        }
    }

    #[test]
    fn an_update_says_what_changed_and_escapes() {
        let reply = notices_reply(&[notice(NoticeKind::Update, "YT1000000001")], Lang::En, &Zone::Beijing, false);
        assert!(reply.html.contains("In line-haul transport → <b>🛵 Out for delivery</b>"), "{}", reply.html);
        assert!(reply.html.contains("派件中 &lt;快递员&gt; &amp; co"));
        assert!(reply.html.contains("and 2 more"));
        let data: Vec<_> = reply.buttons.concat().into_iter().filter_map(|b| b.data().map(str::to_owned)).collect();
        assert_eq!(data, vec!["r:0:YT1000000001".to_owned(), "x:0:YT1000000001".to_owned()]);
    }

    #[test]
    fn a_label_shows_under_the_header_escaped_and_is_never_stored() {
        let mut labelled = notice(NoticeKind::Update, "YT1000000001");
        labelled.label = Some("<b>x</b> & co".into());
        let html = notices_reply(std::slice::from_ref(&labelled), Lang::Zh, &Zone::Beijing, false).html;
        assert_eq!(html.lines().nth(1), Some("🏷 <b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>"), "{html}");
        let stored = serde_json::to_string(&labelled).expect("json");
        assert!(!stored.contains("\"label\""), "the outbox fills it in when it sends: {stored}");
    }

    #[test]
    fn a_corrected_courier_is_said_in_both_languages() {
        let mut corrected = notice(NoticeKind::Update, "YT1000000001");
        corrected.courier = "zhongtong".into();
        corrected.previous_courier = Some("yuantong".into());
        let en = notices_reply(std::slice::from_ref(&corrected), Lang::En, &Zone::Beijing, false).html;
        assert!(en.contains("corrected the courier: YTO Express → ZTO Express"), "{en}");
        let zh = notices_reply(&[corrected], Lang::Zh, &Zone::Beijing, false).html;
        assert!(zh.contains("更正了快递公司：圆通速递 → 中通快递"), "{zh}");
    }

    #[test]
    fn a_notice_with_a_huge_line_still_makes_a_message() {
        // Found by the property tests: a block longer than a message (one trajectory line of 1,000
        // `<`, escaped to 4,000 characters) rendered as nothing, and the outbox marked the notice sent
        // without sending it. Now the lines that do not fit are counted instead.
        let mut huge = notice(NoticeKind::Finished, "YT1000000001");
        huge.new_lines.push(NoticeLine {
            time: "2026-11-02 08:00:00".into(),
            place: None,
            context: "<".repeat(1_000),
            area_code: None,
            area_pinyin: None,
        });
        huge.new_lines.swap(0, 1);
        for lang in [Lang::En, Lang::Zh] {
            let html = notices_reply(std::slice::from_ref(&huge), lang, &crate::zone::Zone::Beijing, true).html;
            assert!(html.contains("YT1000000001"), "{html}");
            assert!(crate::chat::view::telegram_len(&html) <= crate::chat::MAX_MESSAGE_CHARS);
            assert!(!html.contains("&lt;&lt;&lt;") && !html.contains("派件中"), "nothing after a cut line: {html}");
            let more = if lang == Lang::En { "and 4 more" } else { "另有 4 条" };
            assert!(html.contains(more), "the two lines left out are counted with the 2 before: {html}");
            assert!(html.contains("sandbox") || html.contains("沙盒"), "{html}");
        }
        let fits =
            notices_reply(&[notice(NoticeKind::Update, "YT1000000001")], Lang::En, &crate::zone::Zone::Beijing, false)
                .html;
        assert!(fits.contains("派件中") && fits.contains("and 2 more"), "{fits}");
    }

    #[test]
    fn notices_of_couriers_the_directory_no_longer_has_make_no_message_even_in_the_sandbox() {
        // Found by the property tests in CI: the property expected the sandbox note alone; a message
        // that says nothing but "sandbox data" is no notice, and the outbox skips an empty text.
        let mut gone = notice(NoticeKind::Update, "YT1000000001");
        gone.courier = "gone".into();
        for sandbox in [false, true] {
            let reply = notices_reply(std::slice::from_ref(&gone), Lang::En, &Zone::Beijing, sandbox);
            assert_eq!(reply.html, "", "sandbox {sandbox}");
            assert!(reply.buttons.concat().is_empty(), "sandbox {sandbox}: {:?}", reply.buttons);
        }
    }

    #[test]
    fn several_parcels_make_one_message_and_final_notices_close() {
        let reply = notices_reply(
            &[notice(NoticeKind::Update, "YT1000000001"), notice(NoticeKind::Finished, "YT1000000002")],
            Lang::Zh,
            &Zone::Beijing,
            true,
        );
        assert_eq!(reply.html.matches("🔔").count(), 2);
        assert!(reply.html.contains("不再继续跟踪") && reply.html.contains("沙盒数据"));
        assert_eq!(reply.buttons.len(), 2);
        assert_eq!(reply.buttons[1].len(), 1, "a finished parcel has no unsubscribe button");
        assert!(reply.buttons[0][0].text.contains("YT1000000001"));
    }

    #[test]
    fn reaching_a_station_shows_the_pickup_code_and_estimates_show_in_both_languages() {
        let mut station = notice(NoticeKind::Update, "YT1000000001");
        station.state = Some("501".into());
        station.new_lines[0].context =
            "【杭州市】您的包裹已存放至【文三路菜鸟驿站】，请凭取件码6-3-1024及时取件".into();
        let zh = notices_reply(std::slice::from_ref(&station), Lang::Zh, &Zone::Beijing, false).html;
        assert!(zh.contains("<b>🔑 取件码 6-3-1024 · 文三路菜鸟驿站</b>"), "{zh}");
        let en = notices_reply(std::slice::from_ref(&station), Lang::En, &Zone::Beijing, false).html;
        assert!(en.contains("<b>🔑 Pickup code 6-3-1024 at Cainiao Station, Wensan Rd</b>"), "{en}");
        assert!(
            en.contains(
                "[Hangzhou] Your parcel is waiting at Cainiao Station, Wensan Rd, collect it with pickup code 6-3-1024"
            ),
            "{en}"
        );
        station.kind = NoticeKind::Finished;
        let finished = notices_reply(&[station], Lang::En, &Zone::Beijing, false).html;
        assert!(!finished.contains("🔑"), "a closing notice has nothing to collect: {finished}");

        let eta = chrono::DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z").expect("time").to_utc();
        let mut moved = notice(NoticeKind::Update, "YT1000000002");
        (moved.new_lines, moved.more_lines) = (Vec::new(), 0);
        moved.expected_at = Some(eta);
        moved.previous_expected_at = Some(eta - chrono::Duration::hours(5));
        let en = notices_reply(std::slice::from_ref(&moved), Lang::En, &Zone::Beijing, false).html;
        assert!(en.contains("⏱ New estimate: expected Dec 3, 18:00 (Beijing time), was Dec 3, 13:00"), "{en}");
        moved.previous_expected_at = None;
        let zh = notices_reply(&[moved], Lang::Zh, &Zone::Beijing, false).html;
        assert!(zh.contains("⏱ 预计 12月3日 18:00（北京时间）送达"), "{zh}");
    }
}
