/// The price of one device-hour of a hardware, with where the figure comes from.
public struct DevicePrice: Sendable, Hashable {
    /// Hardware name the price applies to (a catalog name, or a custom description's `name`).
    public var hardware: String
    /// US dollars per device per hour.
    public var usdPerDeviceHour: Double
    /// When the price was stated (ISO date), or nil when the source gives none.
    public var date: String?
    /// Where the price comes from.
    public var source: String

    public init(hardware: String, usdPerDeviceHour: Double, date: String?, source: String) {
        self.hardware = hardware
        self.usdPerDeviceHour = usdPerDeviceHour
        self.date = date
        self.source = source
    }
}

/// Prices per device-hour, by hardware name (case-insensitive; catalog aliases resolve to the
/// catalog name), with shipped defaults that workloads and price files override.
public struct PriceList: Sendable, Hashable {
    /// Entries by lower-cased hardware name.
    public private(set) var entries: [String: DevicePrice] = [:]

    /// An empty list.
    public init() {}

    /// A list holding `prices` (later entries replace earlier ones of the same hardware).
    public init(_ prices: [DevicePrice]) {
        for price in prices { set(price) }
    }

    /// The date of the shipped prices: the HEAD commit of llm-memory-calculator's hardware table.
    public static let shippedDate = "2026-07-02"

    /// Shipped defaults: on-demand cloud prices (USD per device-hour) from llm-memory-calculator's
    /// `hardware/configs.py` `HARDWARE_CONFIGS[...]["cost"]` at BudEcosystem/simulator commit 044958d
    /// (2026-07-02), as copied in `reference/hardware_presets.json` (`hardware_HARDWARE_CONFIGS_head`).
    /// The AWS on-demand figure where the table has one, else CoreWeave's (B100, GB200). Hardware
    /// without a cloud price there (B200, the TPUs, Gaudi 3) has no default: give one.
    public static let shipped: PriceList = {
        func entry(_ names: [String], _ usd: Double, key: String, column: String) -> [DevicePrice] {
            let source = "llm-memory-calculator hardware/configs.py HARDWARE_CONFIGS['\(key)'].cost.\(column) "
                + "(BudEcosystem/simulator 044958d, via reference/hardware_presets.json)"
            return names.map { DevicePrice(hardware: $0, usdPerDeviceHour: usd, date: shippedDate, source: source) }
        }
        return PriceList(
            entry(["A100_40GB_GPU", "A100_40GB"], 2.21, key: "A100_40GB_GPU", column: "aws_on_demand")
                + entry(["A100_80GB_GPU", "A100_80GB"], 3.67, key: "A100_80GB_GPU", column: "aws_on_demand")
                + entry(["H100_GPU", "H100_80GB"], 4.76, key: "H100_GPU", column: "aws_on_demand")
                + entry(["H200"], 5.5, key: "H200_GPU", column: "aws_on_demand")
                + entry(["GH200_GPU"], 5.5, key: "GH200_GPU", column: "aws_on_demand")
                + entry(["B100"], 5.5, key: "B100", column: "coreweave")
                + entry(["GB200"], 7.5, key: "GB200", column: "coreweave")
                + entry(["MI300X"], 3.5, key: "MI300X", column: "aws_on_demand")
                + entry(["MI325X"], 4.0, key: "MI325X", column: "aws_on_demand"))
    }()

    /// The catalog name for `name` when it is a catalog hardware or alias, else `name` itself.
    public static func canonicalName(_ name: String) -> String {
        (try? HardwareCatalog.hardware(named: name))?.name ?? name
    }

    /// Adds or replaces the price of `price.hardware` (resolved through the catalog's aliases).
    public mutating func set(_ price: DevicePrice) {
        var price = price
        price.hardware = Self.canonicalName(price.hardware)
        entries[price.hardware.lowercased()] = price
    }

    /// This list with every entry of `overrides` set on top.
    public func merging(_ overrides: PriceList) -> PriceList {
        var merged = self
        for key in overrides.entries.keys.sorted() {
            if let price = overrides.entries[key] { merged.set(price) }
        }
        return merged
    }

    /// The price of `hardware`, or nil.
    public func price(for hardware: String) -> DevicePrice? {
        entries[Self.canonicalName(hardware).lowercased()]
    }

    /// The price of `hardware`.
    /// - Throws: ``PlannerError/missingField(field:context:)`` naming `prices.<hardware>` and how to give one.
    public func requirePrice(for hardware: String) throws(PlannerError) -> DevicePrice {
        guard let price = price(for: hardware) else {
            throw .missingField(
                field: "prices.\(hardware)",
                context: "the workload: no shipped price for hardware '\(hardware)'; give USD per device-hour in the workload "
                    + "(prices: {\(hardware): 2.5}) or in a file passed with --prices (shipped prices: "
                    + entries.values.map(\.hardware).sorted().joined(separator: ", ") + ")")
        }
        return price
    }

    /// Checks every price is a positive finite number.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `prices.<hardware>`.
    public func validate() throws(PlannerError) {
        for key in entries.keys.sorted() {
            guard let price = entries[key] else { continue }
            try PhysicalLimits.usdPerDeviceHour.check(price.usdPerDeviceHour, field: "prices.\(price.hardware)")
        }
    }
}
