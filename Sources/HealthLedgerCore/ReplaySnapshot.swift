/// One seller's part of a replay as bytes: the fold of the events recorded up to some time, so
/// that a later replay (`known at` a later time) goes on from there instead of from the first
/// event. Derived data, like unit histories: losing one loses nothing but time.
///
/// Each unit's events are stored as `UnitHistoryCoding` stores them, so that a snapshot of the
/// whole log can be written from the projection's unit histories without decoding them. Those
/// hold in an order's history the events of the feedback and claim ids that name it too, which
/// a replay keeps under those ids alone: restoring leaves them out of orders.
public enum ReplaySnapshot {
    private static let version: UInt8 = 2

    /// `units` are keys (`UnitReference.key`) with their events as `UnitHistoryCoding` encodes them.
    public static func encode(eventCount: Int, configurations: [Event], units: some Sequence<(key: String, history: [UInt8])>) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(version)
        writer.write(UInt64(eventCount))
        writer.write(UInt64(configurations.count))
        for configuration in configurations {
            writer.write(String(decoding: JSONValue.object(configuration.object).canonicalBytes, as: UTF8.self))
        }
        for (key, history) in units {
            writer.write(key)
            writer.write(UInt64(history.count))
            writer.bytes.append(contentsOf: history)
        }
        return writer.bytes
    }

    fileprivate static func decode(_ bytes: UnsafeRawBufferPointer) throws(UnitHistoryCoding.Corrupt)
        -> (eventCount: Int, configurations: [Event], units: [(UnitReference, [UnitEvent])]) {
        var reader = ByteReader(bytes: bytes)
        guard try reader.byte() == version else { throw UnitHistoryCoding.Corrupt() }
        let eventCount = Int(try reader.varint())
        var configurations: [Event] = []
        for _ in 0..<Int(try reader.varint()) {
            guard case .success(let event) = EventDecoder.decodeStored(try reader.string()) else { throw UnitHistoryCoding.Corrupt() }
            configurations.append(event)
        }
        var units: [(UnitReference, [UnitEvent])] = []
        while !reader.isAtEnd {
            guard let unit = UnitReference(key: try reader.string()) else { throw UnitHistoryCoding.Corrupt() }
            let events = try UnitHistoryCoding.decode(try reader.bytes(count: Int(clamping: try reader.varint())))
            units.append((unit, unit.kind == .order ? events.filter { $0.fact.isRead(by: .order) } : events))
        }
        return (eventCount, configurations, units)
    }
}

extension ProjectionReplay {
    public func snapshot(of seller: String) -> [UInt8] {
        ReplaySnapshot.encode(eventCount: eventCount(of: seller), configurations: configurations(of: seller),
                              units: units(of: seller).lazy.map { ($0.unit.key, UnitHistoryCoding.encode($0.events)) })
    }

    /// Adds a snapshot's fold of `seller`, as if its events were added again.
    public mutating func restore(_ bytes: UnsafeRawBufferPointer, seller: String) throws(UnitHistoryCoding.Corrupt) {
        let (count, restoredConfigurations, units) = try ReplaySnapshot.decode(bytes)
        parts[0].modifySeller(seller) { restored in
            restored.eventCount += count
            restored.configurations += restoredConfigurations
            for (unit, events) in units {
                for event in events { restored.events.add(event, of: unit) }
            }
        }
    }
}

/// Which recorded days keep a snapshot: each of the last seven, and before them the last of
/// each month, so that a known-at query anywhere in a long log replays at most about a month.
public enum SnapshotSchedule {
    public static let dailyDays = 7

    /// `days` are UTC days (days since 1970-01-01) that have a snapshot or could have one.
    public static func kept(_ days: Set<Int>) -> Set<Int> {
        guard let latest = days.max() else { return [] }
        var lastOfMonth: [Int: Int] = [:]
        for day in days {
            let date = CivilDate(daysSinceEpoch: day)
            lastOfMonth[date.year * 12 + date.month] = max(lastOfMonth[date.year * 12 + date.month] ?? day, day)
        }
        return days.filter { $0 > latest - dailyDays }.union(lastOfMonth.values)
    }
}
