//! What the benchmarks (`examples/*.rs`) compute alike: one definition of a percentile.
//!
//! There used to be two: an index-rounding one on `Duration`s (`sorted[round((len - 1) * p)]`) in three
//! benchmarks and a nearest-rank one on `i64`s in `economy_bench`, which disagree on small samples (the
//! median of four values was the third in one and the second in the other). One definition for all,
//! generic over the values, keeps figures of different benchmarks comparable.

/// The `p`-th percentile (`p` in `0.0..=1.0`) of `sorted` (ascending), by the **nearest-rank**
/// definition: the smallest value such that at least `p` of all values are at or below it, that is
/// `sorted[ceil(p × len) − 1]`, and the first value for `p = 0`. It is always one of the values, never an
/// interpolation between two. `None` when there are no values.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (sorted.len() as f64 * p).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&values, 0.0), Some(1));
        assert_eq!(percentile(&values, 0.5), Some(5));
        assert_eq!(percentile(&values, 0.95), Some(10));
        assert_eq!(percentile(&values, 1.0), Some(10));
        assert_eq!(percentile(&[1, 2, 3, 4], 0.5), Some(2));
        assert_eq!(percentile::<i64>(&[], 0.5), None);
    }
}
