//! A plausible household register at 10-minute steps, for the repository's own
//! `sensor.csv`: night base load, morning and evening peaks, weekends that
//! differ, and the odd appliance burst. Deterministic for a seed.

/// A small deterministic PRNG (SplitMix64): same seed, same file, on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// Seeded generator.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Bell-shaped bump of height 1 centred at `centre` hours with width `width` hours.
fn bump(hour: f64, centre: f64, width: f64) -> f64 {
    (-((hour - centre) / width).powi(2)).exp()
}

/// Mean household power (kW) at a fractional hour of a weekday or weekend day.
fn mean_kw(hour: f64, weekend: bool) -> f64 {
    let base = 0.18; // fridge, standby, router: the night floor
    if weekend {
        base + 0.35 * bump(hour, 13.0, 4.0)
            + 1.2 * bump(hour, 9.5, 1.4)
            + 1.9 * bump(hour, 19.0, 2.0)
    } else {
        base + 0.12 * bump(hour, 13.0, 3.0)
            + 1.3 * bump(hour, 7.2, 0.8)
            + 2.1 * bump(hour, 19.3, 1.7)
    }
}

/// The register values (kWh, one per 10 minutes) for `weeks` weeks starting on a Monday at 00:00.
pub fn household_registers(seed: u64, weeks: usize) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    let steps = weeks * 7 * 144;
    let mut register = 1000.0 + (rng.unit() * 5000.0).round();
    let mut out = Vec::with_capacity(steps + 1);
    out.push(register);
    let mut burst_left = 0; // steps left of a running appliance (washer, oven)
    for step in 0..steps {
        let day = step / 144;
        let hour = (step % 144) as f64 / 6.0;
        let weekend = day % 7 >= 5;
        let mut kw = mean_kw(hour, weekend) * (0.75 + 0.5 * rng.unit());
        if burst_left == 0
            && hour > 7.0
            && hour < 22.0
            && rng.unit() < if weekend { 0.02 } else { 0.008 }
        {
            burst_left = 3 + (rng.next_u64() % 7) as usize;
        }
        if burst_left > 0 {
            kw += 1.4;
            burst_left -= 1;
        }
        register += kw / 6.0;
        // Six decimals: the register resolves watt-hours like a real meter display.
        out.push((register * 1e6).round() / 1e6);
    }
    out
}

/// The CSV text (course format: one register value per line, no header).
pub fn household_csv(seed: u64, weeks: usize) -> String {
    let mut text = String::new();
    for v in household_registers(seed, weeks) {
        text.push_str(&format!("{v:.6}\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_file_and_seeds_differ() {
        assert_eq!(household_csv(7, 1), household_csv(7, 1));
        assert_ne!(household_csv(7, 1), household_csv(8, 1));
    }

    #[test]
    fn looks_like_a_household() {
        let regs = household_registers(42, 4);
        assert_eq!(regs.len(), 4 * 7 * 144 + 1);
        assert!(
            regs.windows(2).all(|w| w[1] >= w[0]),
            "a register never drops"
        );
        let hourly: Vec<f64> = regs
            .chunks(6)
            .zip(regs[6..].chunks(6))
            .map(|(a, b)| b[0] - a[0])
            .collect();
        let typical = hourly.iter().filter(|h| (0.1..=3.0).contains(*h)).count();
        assert!(
            typical * 100 >= hourly.len() * 90,
            "{typical} of {} hours in 0.1..3 kWh",
            hourly.len()
        );
        // Nights (02-04h) are far below evenings (19-20h).
        let at = |day: usize, h: usize| regs[day * 144 + (h + 1) * 6] - regs[day * 144 + h * 6];
        let night: f64 = (0..28).map(|d| at(d, 3)).sum();
        let evening: f64 = (0..28).map(|d| at(d, 19)).sum();
        assert!(evening > 4.0 * night, "evening {evening} vs night {night}");
        // Weekend mornings (10h) use more than weekday mornings at the same hour.
        let weekday: f64 = (0..4)
            .flat_map(|w| (0..5).map(move |d| w * 7 + d))
            .map(|d| at(d, 10))
            .sum::<f64>()
            / 20.0;
        let weekend: f64 = (0..4)
            .flat_map(|w| (5..7).map(move |d| w * 7 + d))
            .map(|d| at(d, 10))
            .sum::<f64>()
            / 8.0;
        assert!(
            weekend > 1.5 * weekday,
            "weekend {weekend} vs weekday {weekday}"
        );
    }
}
