//! Benchmark of reading tracking numbers out of waybill photos (issue 14's decode figures).
//!
//! Run: `cargo run --release --example barcode_bench [-- --rounds 5]`
//!
//! Decodes every image of the generated set (`kuaidi_test_support::images`, the 12-megapixel photo
//! included) `--rounds` times through `read_codes` + `numbers_in_codes`, as the bot will, and prints
//! per image whether exactly its numbers came out and the median, p95 and max time per decode; then
//! the decode rate over the set.

use std::time::{Duration, Instant};

use kuaidi_bot::input::barcode::{numbers_in_codes, read_codes};
use kuaidi_test_support::bench::percentile;
use kuaidi_test_support::images;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1000.0)
}

fn main() {
    let rounds = arg("--rounds", 5).max(1);
    let mut set = images::waybill_set();
    set.push(images::large_photo());
    println!("{rounds} rounds per image\n");
    println!("| image | size | pixels | read | median ms | p95 ms | max ms |");
    println!("|---|---:|---:|:---:|---:|---:|---:|");
    let (mut read, mut all) = (0, Vec::new());
    for case in &set {
        let dimensions = image::load_from_memory(&case.bytes).map(|i| (i.width(), i.height())).unwrap_or((0, 0));
        let mut times = Vec::with_capacity(rounds);
        let mut right = true;
        for _ in 0..rounds {
            let started = Instant::now();
            let found = read_codes(&case.bytes).map(|codes| numbers_in_codes(&codes));
            times.push(started.elapsed());
            let got: Vec<(String, Option<&str>)> = found
                .map(|found| {
                    found.numbers.into_iter().map(|f| (f.number.into_string(), f.courier.map(|c| c.code))).collect()
                })
                .unwrap_or_default();
            let want: Vec<(String, Option<&str>)> = case.numbers.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect();
            right &= got == want;
        }
        read += usize::from(right);
        times.sort_unstable();
        all.extend_from_slice(&times);
        println!(
            "| {} | {} KB | {}×{} | {} | {} | {} | {} |",
            case.name,
            case.bytes.len() / 1024,
            dimensions.0,
            dimensions.1,
            if right { "yes" } else { "NO" },
            ms(percentile(&times, 0.5).unwrap_or_default()),
            ms(percentile(&times, 0.95).unwrap_or_default()),
            ms(times.last().copied().unwrap_or_default()),
        );
    }
    // How much of the large photo's time is only unpacking the JPEG (the part no decoder setting saves).
    if let Some(large) = set.last() {
        let started = Instant::now();
        let unpacked = image::load_from_memory(&large.bytes).map(|image| image.into_luma8());
        println!("\n{}: unpacking the JPEG to grey alone takes {} ms", large.name, ms(started.elapsed()));
        drop(unpacked);
    }
    all.sort_unstable();
    println!(
        "\nread right: {read}/{} images; all decodes: median {} ms, p95 {} ms, max {} ms",
        set.len(),
        ms(percentile(&all, 0.5).unwrap_or_default()),
        ms(percentile(&all, 0.95).unwrap_or_default()),
        ms(all.last().copied().unwrap_or_default()),
    );
}
