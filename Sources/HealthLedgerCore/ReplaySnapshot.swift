/// One seller's part of a replay as bytes: the fold of the events recorded up to some time, so
/// that a later replay (`known at` a later time) goes on from there instead of from the first
/// event. Derived data, like unit histories: losing one loses nothing but time.
extension ProjectionReplay {
    private static let snapshotVersion: UInt8 = 1

    public func snapshot(of seller: String) -> [UInt8] {
        var writer = ByteWriter()
        writer.bytes.append(Self.snapshotVersion)
        let configurations = configurations[seller] ?? []
        let units = histories[seller] ?? [:]
        writer.write(UInt64(eventCounts[seller] ?? 0))
        writer.write(UInt64(configurations.count))
        for configuration in configurations {
            writer.write(String(decoding: JSONValue.object(configuration.object).canonicalBytes, as: UTF8.self))
        }
        writer.write(UInt64(units.count))
        for (unit, events) in units {
            writer.write(unit.key)
            writer.write(UInt64(events.count))
            for event in events { writer.write(event) }
        }
        return writer.bytes
    }

    /// Adds a snapshot's fold of `seller`, as if its events were added again.
    public mutating func restore(_ bytes: UnsafeRawBufferPointer, seller: String) throws(UnitHistoryCoding.Corrupt) {
        var reader = ByteReader(bytes: bytes)
        guard try reader.byte() == Self.snapshotVersion else { throw UnitHistoryCoding.Corrupt() }
        let count = Int(try reader.varint())
        for _ in 0..<Int(try reader.varint()) {
            guard case .success(let event) = EventDecoder.decodeStored(try reader.string()) else { throw UnitHistoryCoding.Corrupt() }
            configurations[seller, default: []].append(event)
        }
        var units = histories[seller] ?? [:]
        for _ in 0..<Int(try reader.varint()) {
            guard let unit = UnitReference(key: try reader.string()) else { throw UnitHistoryCoding.Corrupt() }
            let length = Int(try reader.varint())
            guard length <= bytes.count else { throw UnitHistoryCoding.Corrupt() }
            var events: [UnitEvent] = []
            events.reserveCapacity(length)
            for _ in 0..<length { events.append(try reader.event()) }
            units[unit, default: []] += events
        }
        guard reader.isAtEnd else { throw UnitHistoryCoding.Corrupt() }
        histories[seller] = units
        eventCount += count
        eventCounts[seller, default: 0] += count
    }
}

extension ProjectionReplay {
    /// The fold a replay of every event of `seller` would hold, from the projection's own unit
    /// histories: an order's history there also holds the events of the feedback and claim ids
    /// that name it, which a replay keeps under those ids alone.
    public mutating func add(seller: String, projectedHistories: [(unit: UnitReference, events: [UnitEvent])],
                             configurations: [Event], eventCount count: Int) {
        var units = histories[seller] ?? [:]
        for (unit, events) in projectedHistories {
            units[unit, default: []] += unit.kind == .order ? events.filter { $0.fact.isRead(by: .order) } : events
        }
        histories[seller] = units
        self.configurations[seller, default: []] += configurations
        eventCount += count
        eventCounts[seller, default: 0] += count
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
