/// A seeded pseudo-random generator: xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/xoshiro256starstar.c),
/// its state filled by splitmix64 from the seed (as the authors recommend, https://prng.di.unimi.it/splitmix64.c).
///
/// The only source of randomness in the engine: equal seeds give equal sequences on every platform,
/// so simulations are byte-identical for equal inputs. The samplers below use only the standard
/// library and ``FleetMath``.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A uniform double in (0, 1): never 0, so its logarithm is finite.
    public mutating func uniformOpen() -> Double { (Double(next() >> 11) + 0.5) * 0x1.0p-53 }

    /// An exponential variate of the given mean (inverse transform).
    public mutating func exponential(mean: Double) -> Double { -mean * FleetMath.log(uniformOpen()) }

    /// A standard normal variate (Marsaglia's polar method).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * FleetMath.log(s) / s).squareRoot() }
        }
    }

    /// A gamma variate with shape `k` > 0 and scale `theta` > 0 (mean k theta, variance k theta^2), by
    /// Marsaglia and Tsang's method ("A simple method for generating gamma variables", ACM TOMS 26(3), 2000),
    /// with the boost U^(1/k) for k < 1.
    public mutating func gamma(shape k: Double, scale theta: Double) -> Double {
        if k < 1 {
            let boost = FleetMath.exp(FleetMath.log(uniformOpen()) / k)
            return gamma(shape: k + 1, scale: theta) * boost
        }
        let d = k - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformOpen()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * theta }
            if FleetMath.log(u) < 0.5 * x * x + d * (1 - v + FleetMath.log(v)) { return d * v * theta }
        }
    }
}
