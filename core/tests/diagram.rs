//! The diagram's geometric guarantees on every template and corpus file: no card on a
//! card, every card in its box, arrows orthogonal from their source's border to their
//! target's, never through a card or a box that holds neither end, labels on nothing;
//! rows within a projector's width; and stability: moving one card swaps no two others
//! and moves few. Figures are printed (`cargo test --test diagram -- --nocapture`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use tiermap_core::diagram::{layout, layout_with, Layout, Options, Rect};
use tiermap_core::templates::TEMPLATES;
use tiermap_core::{Design, ImportOptions};

/// The designs: every template and every corpus file that imports.
fn designs() -> Vec<(String, Design)> {
    let mut out: Vec<(String, Design)> = TEMPLATES
        .iter()
        .map(|t| (t.name.to_string(), t.design().unwrap()))
        .collect();
    for entry in support::corpus() {
        if let Ok(d) = Design::import(&support::corpus_text(&entry.file), ImportOptions::default())
        {
            out.push((entry.file.clone(), d));
        }
    }
    out
}

fn shrink(r: &Rect, d: f32) -> Rect {
    Rect {
        x: r.x + d,
        y: r.y + d,
        w: r.w - 2.0 * d,
        h: r.h - 2.0 * d,
    }
}

/// Whether the segment a-b has a point strictly inside `r`.
fn runs_inside(r: &Rect, a: (f32, f32), b: (f32, f32)) -> bool {
    let (x0, x1) = (a.0.min(b.0), a.0.max(b.0));
    let (y0, y1) = (a.1.min(b.1), a.1.max(b.1));
    // Orthogonal segments: the span along one axis, a line on the other.
    x1 > r.x && x0 < r.x + r.w && y1 > r.y && y0 < r.y + r.h && (x0 == x1 || y0 == y1) && {
        if x0 == x1 {
            x0 > r.x && x0 < r.x + r.w
        } else {
            y0 > r.y && y0 < r.y + r.h
        }
    }
}

fn on_border(r: &Rect, p: (f32, f32)) -> bool {
    let near = |a: f32, b: f32| (a - b).abs() < 0.01;
    let within = |v: f32, lo: f32, hi: f32| v >= lo - 0.01 && v <= hi + 0.01;
    ((near(p.1, r.y) || near(p.1, r.y + r.h)) && within(p.0, r.x, r.x + r.w))
        || ((near(p.0, r.x) || near(p.0, r.x + r.w)) && within(p.1, r.y, r.y + r.h))
}

/// Everything the layout promises, as a list of what is broken.
fn problems(l: &Layout) -> Vec<String> {
    let mut out = Vec::new();
    let card = |name: &str| l.cards.iter().find(|c| c.service == name);
    for (i, a) in l.cards.iter().enumerate() {
        for b in l.cards.iter().skip(i + 1) {
            if a.rect.overlaps(&b.rect) {
                out.push(format!("cards {} and {} overlap", a.service, b.service));
            }
        }
        let holder = match &a.tier {
            Some(key) => l.tiers.iter().find(|t| &t.key == key).map(|t| t.rect),
            None if a.proxy => l.public_band,
            None => None,
        };
        if let Some(r) = holder {
            if !r.contains(&a.rect) {
                out.push(format!("{} outside its box", a.service));
            }
        }
        let canvas = Rect {
            x: 0.0,
            y: 0.0,
            w: l.width,
            h: l.height,
        };
        if !canvas.contains(&a.rect) {
            out.push(format!("{} outside the drawing", a.service));
        }
    }
    let boxes: Vec<(String, Rect)> = l
        .tiers
        .iter()
        .map(|t| (t.key.clone(), t.rect))
        .chain(
            l.public_band
                .map(|r| ("public entry points".to_string(), r)),
        )
        .collect();
    // A title moved off the arrows stays on its box's title line, the name before the
    // flags.
    for t in &l.tiers {
        if !(t.title_at >= 14.0 && t.subtitle_end <= t.rect.w - 14.0 && t.title_at < t.subtitle_end)
        {
            out.push(format!(
                "{}'s title at {} and flags ending at {} in a box {} wide",
                t.key, t.title_at, t.subtitle_end, t.rect.w
            ));
        }
    }
    if let Some(band) = l.public_band {
        if !(l.public_title_at >= 14.0 && l.public_title_at < band.w - 14.0) {
            out.push(format!("the public band's title at {}", l.public_title_at));
        }
    }
    for (i, (ka, a)) in boxes.iter().enumerate() {
        for (kb, b) in boxes.iter().skip(i + 1) {
            if a.overlaps(b) {
                out.push(format!("boxes {ka} and {kb} overlap"));
            }
        }
    }
    for e in &l.edges {
        let what = format!("{} -> {}", e.from, e.to);
        for w in e.points.windows(2) {
            if w[0].0 != w[1].0 && w[0].1 != w[1].1 {
                out.push(format!("{what}: not orthogonal at {:?}", w[0]));
            }
        }
        let (first, last) = (e.points[0], *e.points.last().unwrap());
        let start_ok = if e.public {
            l.internet
                .is_some_and(|r| (first.1 - (r.y + r.h)).abs() < 0.01)
        } else {
            card(&e.from).is_some_and(|c| on_border(&c.rect, first))
        };
        if !start_ok {
            out.push(format!("{what}: does not start on its source"));
        }
        if !card(&e.to).is_some_and(|c| on_border(&c.rect, last)) {
            out.push(format!("{what}: does not end on its target"));
        }
        for c in &l.cards {
            if c.service == e.from || c.service == e.to {
                continue;
            }
            let inner = shrink(&c.rect, 1.0);
            if e.points.windows(2).any(|w| runs_inside(&inner, w[0], w[1])) {
                out.push(format!("{what}: through card {}", c.service));
            }
        }
        let holds = |r: &Rect| {
            [&e.from, &e.to].iter().any(|n| {
                card(n).is_some_and(|c| {
                    r.contains(&Rect {
                        x: c.rect.x + c.rect.w / 2.0,
                        y: c.rect.y + c.rect.h / 2.0,
                        w: 0.0,
                        h: 0.0,
                    })
                })
            })
        };
        for (key, r) in &boxes {
            if !holds(r)
                && e.points
                    .windows(2)
                    .any(|w| runs_inside(&shrink(r, 1.0), w[0], w[1]))
            {
                out.push(format!(
                    "{what}: through box {key}, which holds neither end"
                ));
            }
        }
    }
    for (i, a) in l.labels.iter().enumerate() {
        for b in l.labels.iter().skip(i + 1) {
            if a.rect.overlaps(&b.rect) {
                out.push(format!("labels of {} and {} overlap", a.service, b.service));
            }
        }
        for c in &l.cards {
            if a.rect.overlaps(&c.rect) {
                out.push(format!("label of {} on card {}", a.service, c.service));
            }
        }
        // Nor on a box's title line.
        for (key, r) in &boxes {
            let title = Rect { h: 30.0, ..*r };
            if a.rect.overlaps(&title) {
                out.push(format!("label of {} on the title of {key}", a.service));
            }
        }
    }
    out
}

#[test]
fn every_design_keeps_the_layouts_promises() {
    let mut failures = Vec::new();
    for (name, design) in designs() {
        let analysis = design.analyze();
        let l = layout(design.model(), &analysis);
        for p in problems(&l) {
            failures.push(format!("{name}: {p}"));
        }
        // Every service is drawn once, every flow has an arrow.
        assert_eq!(l.cards.len(), design.model().services.len(), "{name}");
        let flows = design
            .model()
            .flows
            .iter()
            .filter(|f| f.from != f.to)
            .count();
        assert_eq!(
            l.edges.iter().filter(|e| !e.public).count(),
            flows,
            "{name}"
        );
        // The same design, the same picture.
        assert_eq!(
            layout(design.model(), &analysis),
            l,
            "{name}: not deterministic"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A stack like the public multi-role files teams import: no edge proxy, and almost
/// every service publishing a port.
fn published_everywhere(n: usize) -> String {
    let mut s = String::from("services:\n");
    for i in 0..n {
        s.push_str(&format!(
            "  role{i}:\n    image: example/role{i}:1\n    ports: ['{}:80']\n    networks: [{}]\n",
            8000 + i,
            if i % 3 == 0 { "front" } else { "back" }
        ));
        if i % 4 == 1 {
            s.push_str(&format!("    depends_on: [role{}]\n", (i + 5) % n));
        }
    }
    s.push_str("networks:\n  front: {}\n  back: {}\n");
    s
}

#[test]
fn many_published_services_make_a_readable_group_not_an_endless_row() {
    let design = Design::import(&published_everywhere(30), ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert!(problems(&l).is_empty(), "{:?}", problems(&l));
    assert_eq!(l.edges.iter().filter(|e| e.public).count(), 30);
    // Fits a 1920x1080 screen with 15px names at 12px or more.
    let fit = (1920.0 / l.width).min(1080.0 / l.height);
    println!(
        "# 30 published services: {} x {} px, names at {:.1} px on 1920x1080",
        l.width,
        l.height,
        15.0 * fit
    );
    assert!(15.0 * fit >= 12.0, "{} x {}", l.width, l.height);
    // Rows of cards, not one row.
    let rows = {
        let mut ys: Vec<i32> = l.cards.iter().map(|c| c.rect.y as i32).collect();
        ys.sort_unstable();
        ys.dedup();
        ys.len()
    };
    assert!(rows >= 3, "{rows} rows of cards");
}

#[test]
fn rows_wrap_within_a_projectors_width() {
    // Forty tiers of three services, no flows: every box in one layer.
    let mut s = String::from("services:\n");
    for i in 0..120 {
        s.push_str(&format!(
            "  s{i}:\n    image: example/s{i}\n    networks: [t{}]\n",
            i / 3
        ));
    }
    s.push_str("networks:\n");
    for t in 0..40 {
        s.push_str(&format!("  t{t}: {{}}\n"));
    }
    let design = Design::import(&s, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert!(problems(&l).is_empty(), "{:?}", problems(&l));
    println!("# 40 tiers of 3 services: {} x {} px", l.width, l.height);
    assert!(l.width <= 2500.0, "{} px wide", l.width);
    assert!(
        l.width >= l.height * 0.9,
        "{} x {}: rows wrap too early",
        l.width,
        l.height
    );
}

/// How many cards other than `except` changed place between two layouts, how many of
/// them moved sideways (a row pushed down by a box above that grew moves everything
/// below it down; a lane that appears can push a row aside), and how many pairs of
/// them swapped places (cards on one line before and after whose left-to-right order
/// flipped: a reshuffle).
fn moved(before: &Layout, after: &Layout, except: &str) -> (usize, usize, usize) {
    let mut all = 0;
    let mut sideways = 0;
    let pairs: Vec<(&Rect, &Rect)> = after
        .cards
        .iter()
        .filter(|c| c.service != except)
        .filter_map(|c| {
            let b = before.cards.iter().find(|b| b.service == c.service)?;
            Some((&b.rect, &c.rect))
        })
        .collect();
    for (b, a) in &pairs {
        let dx = (b.x - a.x).abs() > 0.5;
        if dx || (b.y - a.y).abs() > 0.5 {
            all += 1;
        }
        if dx {
            sideways += 1;
        }
    }
    let mut flips = 0;
    for (i, (b1, a1)) in pairs.iter().enumerate() {
        for (b2, a2) in pairs.iter().skip(i + 1) {
            let same_line = b1.y == b2.y && a1.y == a2.y;
            if same_line && (b1.x < b2.x) != (a1.x < a2.x) {
                flips += 1;
            }
        }
    }
    (all, sideways, flips)
}

#[test]
fn moving_one_card_leaves_the_others_where_they_were() {
    let mut report = Vec::new();
    for template in TEMPLATES {
        let base = template.design().unwrap();
        let first = layout(base.model(), &base.analyze());
        let cards = base.model().services.len();
        let (mut total, mut side, mut worst, mut fresh_total, mut fresh_side, mut moves) =
            (0, 0, 0, 0, 0, 0);
        let mut fresh_swaps = 0;
        for service in &base.model().services {
            let Some(home) = service.home.clone() else {
                continue;
            };
            let mut targets: Vec<String> = base
                .model()
                .tiers
                .iter()
                .map(|t| t.key.clone())
                .filter(|k| *k != home)
                .collect();
            let mut design = base.clone();
            if targets.is_empty() {
                design.add_tier("moved_here").unwrap();
                targets.push("moved_here".into());
            }
            for tier in targets {
                let mut d = design.clone();
                if d.move_to(&service.name, &tier).is_err() {
                    continue;
                }
                let analysis = d.analyze();
                let stable = layout_with(
                    d.model(),
                    &analysis,
                    &Options {
                        previous: Some(&first),
                        ..Options::default()
                    },
                );
                let problems = problems(&stable);
                assert!(
                    problems.is_empty(),
                    "{}: {} to {tier}: {problems:?}",
                    template.name,
                    service.name
                );
                let (n, sideways, flips) = moved(&first, &stable, &service.name);
                let (fresh, fresh_sideways, fresh_flips) =
                    moved(&first, &layout(d.model(), &analysis), &service.name);
                assert_eq!(
                    flips, 0,
                    "{}: moving {} to {tier} swapped {flips} pairs of other cards",
                    template.name, service.name
                );
                fresh_swaps += fresh_flips;
                total += n;
                side += sideways;
                worst = worst.max(n);
                fresh_total += fresh;
                fresh_side += fresh_sideways;
                moves += 1;
            }
        }
        let per = |n: usize| n as f32 / moves.max(1) as f32;
        report.push(format!(
            "# {}: {moves} moves of one card of {cards}; other cards moved {:.1} on average ({:.1} sideways), at most {worst}, none swapped; a fresh layout would move {:.1} ({:.1} sideways) and swap {:.1} pairs",
            template.name,
            per(total),
            per(side),
            per(fresh_total),
            per(fresh_side),
            per(fresh_swaps),
        ));
    }
    println!("{}", report.join("\n"));
}

/// Each tier's colour, by key, in the order of the keys.
fn colors(l: &Layout) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = l.tiers.iter().map(|t| (t.key.clone(), t.color)).collect();
    all.sort();
    all
}

/// The layout of `design` after an edit, with the layout before it.
fn after_edit(previous: &Layout, design: &Design) -> Layout {
    let options = Options {
        previous: Some(previous),
        ..Options::default()
    };
    layout_with(design.model(), &design.analyze(), &options)
}

#[test]
fn adding_or_removing_a_tier_recolours_no_other() {
    let scores = TEMPLATES[0].design().unwrap();
    let first = layout(scores.model(), &scores.analyze());
    let before = colors(&first);
    // Removing the first tier: the others keep theirs (a fresh layout shifts them all).
    let gone = scores.model().tiers[0].key.clone();
    let mut removed = scores.clone();
    removed.remove_tier(&gone).unwrap();
    let kept: Vec<(String, usize)> = before.iter().filter(|(k, _)| *k != gone).cloned().collect();
    assert_eq!(colors(&after_edit(&first, &removed)), kept);
    assert_ne!(
        colors(&layout(removed.model(), &removed.analyze())),
        kept,
        "a fresh layout colours by place, so this test would not see a change"
    );
    // A file with no networks (every service on swarm's default) given its first
    // tier: `default` keeps its colour, and the new tier takes another.
    let text = "services:\n  web:\n    image: example/web\n  api:\n    image: example/api\n";
    let plain = Design::import(text, ImportOptions::default()).unwrap();
    let first = layout(plain.model(), &plain.analyze());
    let mut tiered = plain.clone();
    tiered.add_tier("app_tier").unwrap();
    tiered.move_to("api", "app_tier").unwrap();
    let after = after_edit(&first, &tiered);
    let default = |l: &Layout| colors(l).into_iter().find(|(k, _)| k == "default");
    assert_eq!(default(&after), default(&first));
    let all = colors(&after);
    assert_eq!(all.len(), 2, "{all:?}");
    assert_ne!(all[0].1, all[1].1, "{all:?}");
}

#[test]
fn a_card_that_changes_size_keeps_its_place_among_the_others() {
    // A card changes width with its image (or with more arrows in, for their heads): it
    // stays among its neighbours as it was, not at the end of its rank.
    let scores = TEMPLATES[0].design().unwrap();
    let first = layout(scores.model(), &scores.analyze());
    let image = "registry.example.com/team/a-considerably-longer-image-name:1.2.3";
    let mut resized = 0;
    for service in &scores.model().services {
        let mut longer = scores.clone();
        longer.set_image(&service.name, image).unwrap();
        let after = after_edit(&first, &longer);
        let width = |l: &Layout| {
            let card = l.cards.iter().find(|c| c.service == service.name);
            card.map(|c| c.rect.w)
        };
        resized += usize::from(width(&after) != width(&first));
        let (_, _, swaps) = moved(&first, &after, "");
        assert_eq!(swaps, 0, "{} given a longer image", service.name);
    }
    assert!(resized > 10, "only {resized} cards changed size");
}

#[test]
fn the_layout_after_an_edit_is_the_same_for_the_same_inputs() {
    let design = TEMPLATES[0].design().unwrap();
    let analysis = design.analyze();
    let first = layout(design.model(), &analysis);
    let options = Options {
        previous: Some(&first),
        baseline: Some(design.model()),
    };
    let a = layout_with(design.model(), &analysis, &options);
    let b = layout_with(design.model(), &analysis, &options);
    assert_eq!(a, b);
    // Nothing changed, so nothing moved.
    assert_eq!(moved(&first, &a, ""), (0, 0, 0));
}

#[test]
fn a_card_says_what_image_it_runs_or_that_it_has_none() {
    let text = "services:\n  api:\n    image: registry.example.com/shop/api:2.1\n    deploy:\n      replicas: 3\n  \
                unset:\n    image: ${API_IMAGE}\n  built:\n    build: .\n  agent:\n    image: portainer/agent\n    deploy:\n      mode: global\n";
    let design = Design::import(text, ImportOptions::default()).unwrap();
    let drawn = layout(design.model(), &design.analyze());
    let detail = |name: &str| {
        drawn
            .cards
            .iter()
            .find(|c| c.service == name)
            .map(|c| c.detail.clone())
            .unwrap()
    };
    assert_eq!(detail("api"), "api · 3 replicas");
    // An image from a variable that is not set is no image, not an empty name.
    assert_eq!(detail("unset"), "no image · 1 replica");
    assert_eq!(detail("built"), "no image · 1 replica");
    assert_eq!(detail("agent"), "agent · global");
}

/// How many arrows run through `r` (their line, or their head: 6 strokes wide at most,
/// and a gap, as the layout keeps); touching it, to a rounding error, does not count.
fn arrows_through(l: &Layout, r: &Rect) -> usize {
    const HEAD_CLEAR: f32 = 10.0;
    let crosses = |e: &&tiermap_core::diagram::Edge| {
        let last = e.points.len().saturating_sub(2);
        e.points.windows(2).enumerate().any(|(i, w)| {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let half = if i == last { HEAD_CLEAR } else { 0.0 };
            let (xl, xh) = (x0.min(x1) - half, x0.max(x1) + half);
            let (yl, yh) = (y0.min(y1), y0.max(y1));
            const EPS: f32 = 0.01;
            xl < r.x + r.w - EPS && xh > r.x + EPS && yl < r.y + r.h - EPS && yh > r.y + EPS
        })
    };
    l.edges.iter().filter(crosses).count()
}

#[test]
fn arrows_keep_off_the_port_labels_where_there_is_room() {
    let (mut total, mut before) = (0, 0);
    let mut failures = Vec::new();
    for (name, design) in designs() {
        let l = layout(design.model(), &design.analyze());
        for label in &l.labels {
            let n = arrows_through(&l, &label.rect);
            total += n;
            if n == 0 {
                continue;
            }
            // No other place along its card's side has fewer arrows through it.
            let card = l.cards.iter().find(|c| c.service == label.service).unwrap();
            let (lo, hi) = (
                card.rect.x + 2.0,
                card.rect.x + card.rect.w - 2.0 - label.rect.w,
            );
            let mut x = lo;
            while x <= hi {
                let there = arrows_through(&l, &Rect { x, ..label.rect });
                if there < n {
                    failures.push(format!(
                        "{name}: label of {} at {} has {n} arrows through it, {there} at {x}",
                        label.service, label.rect.x
                    ));
                    break;
                }
                x += 1.0;
            }
            before += 1;
        }
    }
    println!("arrows through port labels: {total}, on {before} labels too wide for any gap between the arrows at their card");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn arrows_into_a_card_make_room_beside_them_for_its_label() {
    // Three blocked calls into one card: "✕ blocked" is wider than the room either side
    // of three arrows in its middle, so they come in further left and it reads beside them.
    let mut yaml = String::from("services:\n  sink:\n    image: sink\n    networks: [back]\n");
    for name in ["a", "b", "c"] {
        yaml += &format!(
            "  {name}:\n    image: {name}\n    networks: [front]\n    environment: [UPSTREAM=http://sink]\n"
        );
    }
    yaml += "networks:\n  front: {driver: overlay}\n  back: {driver: overlay}\n";
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    let into: Vec<_> = l.edges.iter().filter(|e| e.to == "sink").collect();
    assert_eq!(into.len(), 3);
    assert!(into.iter().all(|e| e.blocked));
    let label = l.labels.iter().find(|l| l.service == "sink").unwrap();
    assert_eq!(label.parts[0].0, "✕ blocked");
    assert_eq!(arrows_through(&l, &label.rect), 0, "{label:?}");
}

#[test]
fn a_card_every_service_calls_is_wide_enough_for_their_arrows_and_its_label() {
    // As ocariot's bus: twelve services call rabbitmq on 5672. Spread over a card as
    // wide as its name needs, their arrows filled its top and the label lay on them;
    // the card widens to hold them side by side with the label beside them.
    let mut yaml = String::from("services:\n  rabbitmq: {image: rabbitmq}\n");
    for k in 0..12 {
        yaml += &format!("  s{k}: {{image: s, environment: [BUS=amqp://rabbitmq:5672]}}\n");
    }
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.edges.iter().filter(|e| e.to == "rabbitmq").count(), 12);
    let label = l.labels.iter().find(|l| l.service == "rabbitmq").unwrap();
    assert_eq!(label.parts[0].0, "5672");
    assert_eq!(arrows_through(&l, &label.rect), 0, "{label:?}");
    let card = l.cards.iter().find(|c| c.service == "rabbitmq").unwrap();
    assert!(card.rect.w <= 360.0, "{:?}", card.rect);
    // The arrows come in side by side (some may come from below, where that shortens
    // them), each side's within the card and apart.
    let r = card.rect;
    for side in [r.y, r.y + r.h] {
        let mut xs: Vec<f32> = l
            .edges
            .iter()
            .filter(|e| e.to == "rabbitmq")
            .filter_map(|e| e.points.last())
            .filter(|p| (p.1 - side).abs() < 1.0)
            .map(|p| p.0)
            .collect();
        xs.sort_by(f32::total_cmp);
        assert!(xs.iter().all(|&x| x > r.x && x < r.x + r.w), "{xs:?} {r:?}");
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= 10.0), "{xs:?}");
    }
}

#[test]
fn a_long_port_list_into_a_busy_card_is_cut_beside_the_arrows_not_laid_on_them() {
    // As nitro-testnode's geth: eleven services call it, on four ports between them.
    // The list is too long to keep whole; the arrows used to spread over the whole top
    // and the cut list lay on them. They now leave room for it, cut, beside them.
    let mut yaml = String::from("services:\n  geth: {image: geth}\n");
    for k in 0..11 {
        let port = [8545, 8551, 8546, 30303][k % 4];
        yaml += &format!("  s{k}: {{image: s, environment: [RPC=http://geth:{port}]}}\n");
    }
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.edges.iter().filter(|e| e.to == "geth").count(), 11);
    let label = l.labels.iter().find(|l| l.service == "geth").unwrap();
    assert!(label.parts.iter().any(|p| p.0.ends_with('…')), "{label:?}");
    assert_eq!(arrows_through(&l, &label.rect), 0, "{label:?}");
}

#[test]
fn services_that_all_call_the_same_sinks_share_one_bundle_even_when_one_calls_more() {
    // As zammad's stack: six services each call the database, the cache and redis, and
    // one of them (the web proxy) also calls the rails server.
    let callers = ["web", "rails", "backup", "init", "scheduler", "websocket"];
    let mut yaml = String::from("services:\n");
    for name in callers {
        let extra = if name == "web" {
            ", RAILS=http://rails:3000"
        } else {
            ""
        };
        yaml += &format!(
            "  {name}:\n    image: {name}\n    environment: [DB=postgres://db:5432/x, CACHE=memcached:11211, REDIS=redis://redis:6379{extra}]\n"
        );
    }
    for name in ["db", "memcached", "redis"] {
        yaml += &format!("  {name}:\n    image: {name}\n");
    }
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.junctions.len(), 1, "{:?}", l.junctions);
    let j = &l.junctions[0];
    assert_eq!(j.sources.len(), 6, "{j:?}");
    let mut targets = j.targets.clone();
    targets.sort();
    assert_eq!(targets, ["db", "memcached", "redis"]);
    // Every flow is still its own arrow, the extra one too.
    assert_eq!(l.edges.len(), 19);
    assert!(l.edges.iter().any(|e| e.from == "web" && e.to == "rails"));
}

#[test]
fn a_service_one_of_its_sinks_calls_back_stays_out_of_their_bundle() {
    // As eShopOnAbp's auth server, which calls back the services that call it. Ranked
    // around that cycle, the bundled arrow ran past its target to the junction and back.
    let mut yaml = String::from("services:\n");
    for k in 0..7 {
        yaml += &format!(
            "  s{k}:\n    image: s\n    environment: [DB=postgres://db:5432/x, CACHE=redis://cache:6379, AUTH=http://auth:80]\n"
        );
    }
    yaml += "  db: {image: postgres}\n  cache: {image: redis}\n  auth:\n    image: auth\n    environment: [BACK=http://s0:80]\n";
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.junctions.len(), 1, "{:?}", l.junctions);
    let mut sources = l.junctions[0].sources.clone();
    sources.sort();
    assert_eq!(sources, ["s1", "s2", "s3", "s4", "s5", "s6"]);
    // Every flow is still its own arrow, s0's and the one back too.
    assert_eq!(l.edges.len(), 22);
    assert!(l.edges.iter().any(|e| e.from == "auth" && e.to == "s0"));
    assert_eq!(l.edges.iter().filter(|e| e.from == "s0").count(), 3);
}

#[test]
fn a_sink_every_service_calls_goes_below_one_only_its_neighbour_calls() {
    // As ocariot's stack: each service calls its database and the message bus, each
    // database calls the vault, and the vault calls its config store and the bus. The
    // bus and the store are both sinks below the vault, but most of the bus's arrows come
    // from far above: beside the store they would cross the vault's arrow to it, so the
    // bus gets a rank of its own.
    let mut yaml = String::from("services:\n");
    for name in ["users", "orders", "stock", "billing", "mail", "search"] {
        yaml += &format!(
            "  {name}:\n    image: {name}\n    environment: [DB=mongodb://{name}-db:27017, BUS=amqp://bus:5672]\n  {name}-db:\n    image: mongo\n    environment: [VAULT=http://vault:8200]\n"
        );
    }
    yaml += "  vault:\n    image: vault\n    environment: [STORE=http://store:8500, BUS=amqp://bus:5672]\n";
    yaml += "  store:\n    image: consul\n  bus:\n    image: rabbitmq\n";
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    let top = |name: &str| l.cards.iter().find(|c| c.service == name).unwrap().rect.y;
    assert!(top("store") > top("vault"));
    assert!(
        top("bus") > top("store"),
        "bus at {}, store at {}",
        top("bus"),
        top("store")
    );
}

#[test]
fn two_sinks_every_service_calls_go_one_below_the_other() {
    // As openproject's stack: a web front behind a proxy, a worker and a cron job each
    // call the seeder, and all four call the database and the cache. Side by side, each
    // caller's pair of arrows crosses the next caller's; one below the other, the arrows
    // to the lower one pass the upper on either side, as Mermaid draws them.
    let calls = "[SEED=http://seeder:80, DB=postgres://db:5432, CACHE=cache:11211]";
    let yaml = format!(
        "services:
  db: {{image: postgres, networks: [backend]}}
  cache: {{image: memcached, networks: [backend]}}
  proxy: {{image: proxy, networks: [frontend], ports: ['8080:80'], environment: [WEB=http://web:80]}}
  web: {{image: web, networks: [frontend, backend], environment: {calls}}}
  autoheal: {{image: autoheal}}
  worker: {{image: worker, networks: [backend], environment: {calls}}}
  cron: {{image: cron, networks: [backend], environment: {calls}}}
  seeder: {{image: seeder, networks: [backend], environment: [DB=postgres://db:5432, CACHE=cache:11211]}}
networks: {{frontend: {{}}, backend: {{}}}}
"
    );
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    let top = |name: &str| l.cards.iter().find(|c| c.service == name).unwrap().rect.y;
    assert!(top("db") > top("seeder"));
    assert!(
        top("db") != top("cache"),
        "db and cache side by side at {}",
        top("db")
    );
}

/// Points where two arrows cross (a horizontal segment of one and a vertical of the
/// other, each passing the other's line strictly inside; touching does not count).
fn crossings(l: &Layout) -> usize {
    let segments = |e: &tiermap_core::diagram::Edge| {
        e.points
            .windows(2)
            .map(|w| (w[0], w[1]))
            .collect::<Vec<_>>()
    };
    let inside = |v: f32, a: f32, b: f32| v > a.min(b) + 0.5 && v < a.max(b) - 0.5;
    let mut n = 0;
    for (i, a) in l.edges.iter().enumerate() {
        for b in l.edges.iter().skip(i + 1) {
            for &((ax0, ay0), (ax1, ay1)) in &segments(a) {
                for &((bx0, by0), (bx1, by1)) in &segments(b) {
                    let a_across = ay0 == ay1 && bx0 == bx1;
                    let b_across = by0 == by1 && ax0 == ax1;
                    if (a_across && inside(bx0, ax0, ax1) && inside(ay0, by0, by1))
                        || (b_across && inside(ax0, bx0, bx1) && inside(by0, ay0, ay1))
                    {
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

#[test]
fn a_two_way_call_is_drawn_the_way_that_crosses_less() {
    // As opencrvs' stack: auth and events call each other, and the services above call
    // both. Which of the two goes on top is a tie the flows do not decide; with events
    // on top (the first in the file) the arrows to auth cross four others, with auth on
    // top two, as Mermaid draws it (three).
    let yaml = "services:
  base: {image: base}
  client: {image: client, depends_on: [base], environment: [A=http://login:3020, B=http://auth:4040, C=http://gateway:7070]}
  login: {image: login, depends_on: [base], environment: [A=http://auth:4040, B=http://gateway:7070]}
  gateway: {image: gateway, depends_on: [base], environment: [A=http://events:5555, B=http://auth:4040, C=http://documents:9050]}
  events: {image: events, depends_on: [base], environment: [A=http://documents:9050, B=http://auth:4040]}
  auth: {image: auth, depends_on: [base], environment: [A=http://events:5555]}
  migration: {image: migration, depends_on: [base]}
  documents: {image: documents, depends_on: [base]}
  data-seeder: {image: seeder, depends_on: [base], environment: [A=http://events:5555, B=http://auth:4040]}
";
    let design = Design::import(yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.edges.len(), 21);
    let top = |name: &str| l.cards.iter().find(|c| c.service == name).unwrap().rect.y;
    assert!(
        top("auth") < top("events"),
        "{} {}",
        top("auth"),
        top("events")
    );
    assert!(crossings(&l) <= 3, "{} crossings", crossings(&l));
}

#[test]
fn sidecars_on_no_network_of_their_own_sit_above_the_services_they_call() {
    // As consul's envoy sidecars (and dapr's): each shares its service's network
    // namespace, which a swarm does not do, so it is on no tier and its call is blocked.
    // It only calls: drawn above the tier, its arrow points down into it, as Mermaid
    // draws it, not up from below across the tier's own arrows.
    let mut yaml =
        String::from("services:\n  consul:\n    image: consul\n    ports: ['8500:8500']\n");
    for name in ["api", "web"] {
        yaml += &format!(
            "  {name}:\n    image: {name}\n    ports: ['9090']\n    environment: [CONSUL=http://consul:8500]\n  {name}_proxy:\n    image: envoy\n    network_mode: 'service:{name}'\n    environment: [UPSTREAM=http://{name}:9090]\n"
        );
    }
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    let top = |name: &str| l.cards.iter().find(|c| c.service == name).unwrap().rect.y;
    for name in ["api", "web"] {
        let proxy = format!("{name}_proxy");
        assert!(
            l.edges
                .iter()
                .any(|e| e.from == proxy && e.to == name && e.blocked),
            "{:?}",
            l.edges
        );
        assert!(
            top(&proxy) < top(name),
            "{proxy} at {}, {name} at {}",
            top(&proxy),
            top(name)
        );
    }
}

#[test]
fn calls_that_mostly_go_both_ways_cross_less_than_mermaid_draws_them() {
    // eShopOnAbp: 13 services, 72 calls, 19 pairs of them both ways. Bundled, the auth
    // server's callers ran past it to the junction and back (187 crossings); Mermaid
    // draws 179.
    let text = support::corpus_text("abpframework__eShopOnAbp__etc__docker__docker-compose.yml");
    let design = Design::import(&text, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.edges.len(), 73);
    assert!(crossings(&l) <= 135, "{} crossings", crossings(&l));
}

#[test]
fn a_database_called_from_every_rank_goes_below_what_it_calls_where_that_crosses_less() {
    // mailcow: the database is called from three ranks of its box and calls the
    // resolver. Ranked just below its callers, it sat beside the cards they call and
    // drew 12 crossings (Mermaid 11); in a rank of its own below the resolver, 9.
    let text = support::corpus_text("mailcow__mailcow-dockerized__docker-compose.yml");
    let design = Design::import(&text, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    let top = |name: &str| l.cards.iter().find(|c| c.service == name).unwrap().rect.y;
    assert!(top("mysql-mailcow") > top("unbound-mailcow"));
    assert!(crossings(&l) <= 10, "{} crossings", crossings(&l));
}

#[test]
fn published_services_calling_one_another_sit_near_the_internet() {
    // As quorum's orchestrate stack: four published services and four others, nearly
    // every pair calling both ways in one box. Ranked with the published ones deep in
    // the box, the internet's arrows ran down across the box's own (18 crossings,
    // Mermaid 12); ranked first where the cycles leave a choice, as many as Mermaid.
    let calls: [(&str, &str, &[&str]); 8] = [
        (
            "generate-jwt",
            "",
            &["api", "key-manager", "tx-listener", "tx-sender"],
        ),
        (
            "api-migration-init",
            "",
            &["api", "key-manager", "tx-listener", "tx-sender"],
        ),
        (
            "api-migration",
            "",
            &[
                "api",
                "api-migration-init",
                "key-manager",
                "tx-listener",
                "tx-sender",
            ],
        ),
        (
            "api",
            "8031:8081",
            &["api-migration", "key-manager", "tx-listener", "tx-sender"],
        ),
        (
            "key-manager",
            "8091:8081",
            &["api", "key-vault-init", "tx-listener", "tx-sender"],
        ),
        ("key-vault-init", "", &[]),
        (
            "tx-sender",
            "8062:8082",
            &["api", "key-manager", "tx-listener"],
        ),
        (
            "tx-listener",
            "8082:8082",
            &["api", "key-manager", "tx-sender"],
        ),
    ];
    let mut yaml = String::from("services:\n");
    for (name, port, to) in calls {
        yaml += &format!("  {name}:\n    image: {name}\n");
        if !port.is_empty() {
            yaml += &format!("    ports: ['{port}']\n");
        }
        if !to.is_empty() {
            yaml += "    environment:\n";
            for (i, t) in to.iter().enumerate() {
                yaml += &format!("      - U{i}=http://{t}:8081\n");
            }
        }
    }
    let design = Design::import(&yaml, ImportOptions::default()).unwrap();
    let l = layout(design.model(), &design.analyze());
    assert_eq!(l.edges.len(), 31);
    assert!(crossings(&l) <= 12, "{} crossings", crossings(&l));
}
