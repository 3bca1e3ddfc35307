import Dispatch
import HealthLedgerCore

/// Events to append, with what the projection reads of them grouped by seller and unit as
/// they are added: work that needs no log, so that whoever builds the batch (ingest's decoding
/// thread) does it, not the append transaction.
public struct PreparedBatch: Sendable {
    struct Seller: Sendable {
        var configurations: [Event] = []
        /// Each unit's new events, in batch order.
        var unitEvents: [UnitReference: [UnitEvent]] = [:]
    }

    public private(set) var events: [PreparedEvent] = []
    private(set) var sellers: [String: Seller] = [:]

    public init() {}

    public init(_ events: [PreparedEvent]) {
        for event in events { append(event) }
    }

    public mutating func append(_ event: PreparedEvent) {
        events.append(event)
        sellers[event.event.seller, default: Seller()].add(event)
    }
}

extension PreparedBatch.Seller {
    mutating func add(_ event: PreparedEvent) {
        if event.event.type == .sellerConfigured { configurations.append(event.event) }
        for (unit, unitEvent) in event.unitEvents { unitEvents[unit, default: []].append(unitEvent) }
    }
}

/// What a batch of events brings to the projection, per seller.
struct ProjectionInput: Sendable {
    struct Seller: Sendable {
        let seller: String
        let settings: SellerSettings
        let isReconfigured: Bool
        let units: [(key: SellerUnit, before: [UnitEvent], new: [UnitEvent])]
    }

    let sellers: [Seller]
}

/// What a batch of events changes in the projection, per seller.
struct ProjectionOutput: Sendable {
    struct Unit: Sendable {
        let key: SellerUnit
        let events: [UnitEvent]
        let stored: [UInt8]
        /// The unit's contribution before and after, from the first day the batch changes.
        var old = Contribution()
        var new = Contribution()
    }

    struct Seller: Sendable {
        let seller: String
        let settings: SellerSettings
        let isReconfigured: Bool
        var units: [Unit]
        var change: ContributionSum
    }

    var sellers: [Seller]

    /// Takes the units of `correction` in place of the same units here.
    mutating func replaceUnits(with correction: ProjectionOutput) {
        for corrected in correction.sellers {
            let index = sellers.firstIndex { $0.seller == corrected.seller }!
            let positions = Dictionary(uniqueKeysWithValues: sellers[index].units.enumerated().map { ($0.element.key, $0.offset) })
            for unit in corrected.units {
                let position = positions[unit.key]!
                sellers[index].change.subtract(sellers[index].units[position])
                sellers[index].change.add(unit)
                sellers[index].units[position] = unit
            }
        }
    }
}

extension ContributionSum {
    mutating func add(_ unit: ProjectionOutput.Unit) {
        add(unit.new)
        subtract(unit.old)
    }

    mutating func subtract(_ unit: ProjectionOutput.Unit) {
        add(unit.old)
        subtract(unit.new)
    }
}

/// A value computed on another thread while the caller goes on.
final class BackgroundValue<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?

    init(_ compute: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            self.value = compute()
            self.done.signal()
        }
    }

    /// Waits for the value; call once.
    func wait() -> Value {
        done.wait()
        return value!
    }
}

/// Frees what a batch leaves behind on another thread: its rows, units and events are hundreds
/// of thousands of small objects, and freeing them took the appending thread, the one every
/// stage of an ingest waits for, a tenth of its time.
public enum BackgroundRelease {
    public static func drop<Value>(_ value: consuming Value) {
        nonisolated(unsafe) let value = value
        DispatchQueue.global().async { withExtendedLifetime(value) {} }
    }
}
