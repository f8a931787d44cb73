public import PlannerCore

/// What the colours of the fleet charts tell apart.
public enum ChartColoring: String, Sendable, Hashable, CaseIterable {
    /// One colour per hardware (the default for a single model).
    case hardware
    /// One colour per model (the default for several models).
    case model

    /// The default for a workload: by model when it has several models, else by hardware.
    public static func automatic(for workload: FleetWorkload) -> ChartColoring {
        workload.models.count > 1 ? .model : .hardware
    }
}

/// Colours that stay the same from one report to the next.
///
/// The palette is Tableau 20 (Tableau Software's categorical palettes: the ten "Tableau 10" hues of
/// Tableau 10.0, then the ten light variants of "Tableau 20"). A catalog hardware always gets the colour of its position in ``HardwareCatalog/entries``
/// (18 presets, 20 colours: every preset its own colour in every report). Any other name (a custom
/// hardware, a model) gets a colour from a hash of its name (FNV-1a 64), so it too keeps its colour
/// across reports; when two names of one report hash to the same colour, the later one (in workload
/// order) takes the next free colour.
public enum ChartPalette {
    /// Tableau 20.
    public static let colors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
        "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
    ]

    /// The preferred palette index of `name`: its catalog position for catalog hardware, else a hash.
    public static func preferredIndex(_ name: String, catalogHardware: Bool) -> Int {
        if catalogHardware, let position = HardwareCatalog.entries.firstIndex(where: { $0.spec.name.lowercased() == name.lowercased() }) {
            return position % colors.count
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.lowercased().utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(colors.count))
    }

    /// Colours for `names` (in order), distinct while there are at most 20 names (then they repeat).
    public static func assign(_ names: [String], catalogHardware: Bool) -> [String] {
        var used = Set<Int>()
        return names.map { name in
            var index = preferredIndex(name, catalogHardware: catalogHardware)
            if used.count < colors.count {
                while used.contains(index) { index = (index + 1) % colors.count }
            }
            used.insert(index)
            return colors[index]
        }
    }
}

/// Text widths for laying out SVG labels without a browser.
///
/// Widths are Helvetica's advance widths (Adobe's Core 14 AFM file `Helvetica.afm`, units of 1/1000
/// em) for printable ASCII, one em for anything else, scaled by ``safetyFactor`` because the page's
/// `system-ui` font may be wider than Helvetica (DejaVu Sans, the usual Linux fallback, is about 12%
/// wider on digits and lower case). Overestimating costs a little margin; underestimating clips labels.
public enum TextMetrics {
    /// Headroom over Helvetica's widths.
    public static let safetyFactor = 1.2

    /// Advance widths of U+0020 through U+007E, 1/1000 em (Helvetica.afm).
    static let helveticaWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
    ]

    /// The width of `text` set at `fontSize` (in the same unit as `fontSize`, e.g. SVG user units).
    public static func width(_ text: String, fontSize: Double) -> Double {
        var thousandths = 0
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            thousandths += (32...126).contains(value) ? helveticaWidths[value - 32] : 1000
        }
        return Double(thousandths) / 1000 * fontSize * safetyFactor
    }
}
