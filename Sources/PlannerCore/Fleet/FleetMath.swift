/// The few transcendental functions the fleet model needs (natural logarithm, exponential, the
/// inverse of the standard normal distribution), written with the standard library only so that
/// PlannerCore keeps no platform dependency. Accurate to about 1e-15 relative (log, exp) and
/// 1.2e-9 (the normal quantile, Acklam's rational approximation).
public enum FleetMath {
    /// ln 2.
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458
    /// ln 2 in two parts: the high one has trailing zero bits, so k x ln2High is exact for |k| < 2^11.
    static let ln2High = 6.931_471_803_691_238_164_90e-01
    static let ln2Low = 1.908_214_929_270_587_700_02e-10

    /// Natural logarithm of a positive finite `x` (NaN for x <= 0 or NaN, +infinity for +infinity).
    public static func log(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        // x = m x 2^e with m in [1, 2); ln m = 2 atanh(t), t = (m - 1) / (m + 1) in [0, 1/3).
        var exponent = Double(x.exponent)
        var mantissa = x.significand
        if mantissa > 1.414_213_562_373_095 { mantissa /= 2; exponent += 1 }  // |t| <= 0.172
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        var term = t
        var sum = 0.0
        var k = 1.0
        while true {
            let next = sum + term / k
            if next == sum { break }
            sum = next
            term *= t2
            k += 2
        }
        return 2 * sum + exponent * ln2
    }

    /// e^x (0 for very negative x, +infinity past the largest Double).
    public static func exp(_ x: Double) -> Double {
        guard !x.isNaN else { return x }
        if x > 709.782_712_893_384 { return .infinity }
        if x < -745.2 { return 0 }
        // x = k ln2 + r with |r| <= ln2 / 2 (ln2 split in a high part exact in k x ln2Hi and a low
        // part, as fdlibm does), then e^r by its Taylor series.
        let k = (x / ln2).rounded()
        let r = (x - k * ln2High) - k * ln2Low
        var term = 1.0
        var sum = 1.0
        var n = 1.0
        while true {
            term *= r / n
            let next = sum + term
            if next == sum { break }
            sum = next
            n += 1
        }
        var result = sum
        var power = Int(k)
        // Scale by 2^k in steps that stay in range.
        while power > 1000 { result *= Double(sign: .plus, exponent: 1000, significand: 1); power -= 1000 }
        while power < -1000 { result *= Double(sign: .plus, exponent: -1000, significand: 1); power += 1000 }
        return result * Double(sign: .plus, exponent: power, significand: 1)
    }

    /// The standard normal quantile z with P(Z <= z) = `p`, for p in (0, 1) (Acklam's algorithm).
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [-3.969_683_028_665_376e+01, 2.209_460_984_245_205e+02, -2.759_285_104_469_687e+02,
                 1.383_577_518_672_690e+02, -3.066_479_806_614_716e+01, 2.506_628_277_459_239e+00]
        let b = [-5.447_609_879_822_406e+01, 1.615_858_368_580_409e+02, -1.556_989_798_598_866e+02,
                 6.680_131_188_771_972e+01, -1.328_068_155_288_572e+01]
        let c = [-7.784_894_002_430_293e-03, -3.223_964_580_411_365e-01, -2.400_758_277_161_838e+00,
                 -2.549_732_539_343_734e+00, 4.374_664_141_464_968e+00, 2.938_163_982_698_783e+00]
        let d = [7.784_695_709_041_462e-03, 3.224_671_290_700_398e-01, 2.445_134_137_142_996e+00,
                 3.754_408_661_907_416e+00]
        let low = 0.024_25
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low {
            let q = (-2 * log(1 - p)).squareRoot()
            return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
