use super::*;

#[test]
fn a_burst_of_the_limit_then_one_per_interval() {
    let limiter = RateLimiter::new(6);
    let start = Instant::now();
    for _ in 0..6 {
        limiter.check("dev-a", start).expect("within the burst");
    }
    // 6 per minute: the next token comes 10 s later.
    assert_eq!(limiter.check("dev-a", start), Err(Duration::from_secs(10)));
    assert_eq!(
        limiter.check("dev-a", start + Duration::from_secs(4)),
        Err(Duration::from_secs(6))
    );
    limiter
        .check("dev-a", start + Duration::from_secs(10))
        .expect("one token back");
    assert!(
        limiter
            .check("dev-a", start + Duration::from_secs(10))
            .is_err()
    );
}

#[test]
fn devices_have_their_own_buckets() {
    let limiter = RateLimiter::new(1);
    let now = Instant::now();
    limiter.check("dev-a", now).expect("a");
    assert_eq!(limiter.check("dev-a", now), Err(Duration::from_secs(60)));
    limiter
        .check("dev-b", now)
        .expect("b is not held back by a");
}

#[test]
fn zero_is_no_limit() {
    let limiter = RateLimiter::new(0);
    let now = Instant::now();
    for _ in 0..10_000 {
        limiter.check("dev-a", now).expect("unlimited");
    }
    assert_eq!(limiter.tracked(), 0);
}

#[test]
fn full_buckets_are_forgotten_so_memory_follows_active_devices() {
    let limiter = RateLimiter::new(60);
    let start = Instant::now();
    for i in 0..SWEEP_AT {
        limiter.check(&format!("dev-{i}"), start).expect("first");
    }
    assert_eq!(limiter.tracked(), SWEEP_AT);
    // A minute on, every bucket is full again: the sweep drops them all but the new one.
    limiter
        .check("late", start + Duration::from_secs(61))
        .expect("late");
    assert_eq!(limiter.tracked(), 1);
}
