import Dispatch
import Synchronization

/// The projection folded from scratch: every event of a log, in any order, grouped into the
/// unit histories it builds, and each seller's counters computed from them. What the
/// incremental projection must equal, and how a past recorded time is answered.
public struct ProjectionReplay: Sendable {
    /// The events folded, in one part a core: the cores fold a batch at once, each a slice of
    /// it into its own part, so a unit's events may be spread over the parts; `units(of:)`
    /// joins them.
    var parts = [Part](repeating: Part(), count: ParallelMap.cores)

    /// What one core folds.
    public struct Part: Sendable {
        /// What each seller's events folded into this part give, found by one look-up of the
        /// seller an event.
        private(set) var sellers: [SellerPart] = []
        /// Where each seller's part is in `sellers`.
        private var indexBySeller: [String: Int] = [:]
        /// The same index by `ProjectionReplay.hash(ofKey:)` of the seller's bytes, for lines
        /// read in place: a `String` made of them and hashed took 2.5% of a replay's instructions.
        private var indexBySellerHash: [Int: Int] = [:]

        public mutating func add(_ event: ReplayedEvent) { sellers[index(of: event.seller)].add(event) }

        /// Folds a line the log holds straight from its bytes, making no string of its ids (each
        /// event's were made, copied and freed, a fifth of a replay's fold); false when it is a
        /// line to leave to `EventDecoder` (see `StoredLine`) or a configuration.
        public mutating func add(storedLine: UnsafeBufferPointer<UInt8>) -> Bool {
            StoredLine.reading(storedLine) { line in
                guard line.type != .sellerConfigured else { return false }
                sellers[index(ofSellerBytes: line.sellerBytes)].add(line)
                return true
            } ?? false
        }

        func seller(_ seller: String) -> SellerPart? { indexBySeller[seller].map { sellers[$0] } }

        var sellerIDs: [String] { sellers.map(\.seller) }

        mutating func modifySeller(_ seller: String, _ body: (inout SellerPart) -> Void) { body(&sellers[index(of: seller)]) }

        private mutating func index(of seller: String) -> Int {
            if let index = indexBySeller[seller] { return index }
            sellers.append(SellerPart(seller: seller))
            indexBySeller[seller] = sellers.count - 1
            return sellers.count - 1
        }

        /// A hash shared by two sellers (so rare that it is simply not indexed twice) sends the
        /// second to the look-up by `String`.
        private mutating func index(ofSellerBytes bytes: UnsafeBufferPointer<UInt8>) -> Int {
            let hash = ProjectionReplay.hash(ofKey: bytes)
            if let index = indexBySellerHash[hash], sellers[index].isSeller(bytes) { return index }
            let index = index(of: String(decoding: bytes, as: UTF8.self))
            if indexBySellerHash[hash] == nil { indexBySellerHash[hash] = index }
            return index
        }
    }

    /// A seller's events as this part folded them: each unit event written after the last, its
    /// unit beside it, and grouped by unit only when the units are asked for. Filing each event
    /// into a table of the seller's units at once cost a probe of a table of hundreds of
    /// thousands, and a buffer a unit a part (ops/BENCHMARKS.md, session 10).
    struct SellerPart: Sendable {
        let seller: String
        var events = FoldedEvents()
        var eventCount = 0
        var configurations: [Event] = []

        /// Whether `bytes` spell this part's seller, read in place.
        fileprivate func isSeller(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            seller.utf8.withContiguousStorageIfAvailable { $0.hasSameBytes(as: bytes) } ?? seller.utf8.elementsEqual(bytes)
        }

        mutating func add(_ event: ReplayedEvent) {
            eventCount += 1
            if let configuration = event.configuration { configurations.append(configuration) }
            for (unit, unitEvent) in event.unitEvents { events.add(unitEvent, of: unit) }
        }

        /// What `add(_:)` adds for the same event decoded: its units' events (`UnitReference.unitEvents(of:)`).
        mutating func add(_ line: StoredLine) {
            eventCount += 1
            guard let fields = UnitFields(of: line.type), let id = line.stringBytes(fields.field),
                  let fact = UnitEvent.fact(of: line)
            else { return }
            if fact.isRead(by: fields.kind) { events.add(fact, of: line, to: fields.kind, id: id) }
            if fields.reachesNamedOrder, fact.isRead(by: .order), let order = line.stringBytes("order") {
                events.add(fact, of: line, to: .order, id: order)
            }
        }
    }

    /// Unit events written one after another into one arena, each beside its unit.
    struct FoldedEvents: Sendable {
        var folded: [FoldedEvent] = []
        /// Each folded event's unit (its kind, then its id), then the event as `UnitHistoryCoding` writes it.
        var arena = ByteWriter()

        mutating func add(_ event: UnitEvent, of unit: UnitReference) {
            add(kind: unit.kind, at: event.at, key: { $0.write(unit) }, event: { $0.write(event) })
        }

        /// The event of `line` whose fact is `fact`, to the unit of `kind` and `id`.
        mutating func add(_ fact: UnitEvent.Fact, of line: StoredLine, to kind: UnitKind, id: UnsafeBufferPointer<UInt8>) {
            add(kind: kind, at: line.at, key: { $0.write(kind, id: id) }) { arena in
                arena.write(utf8: line.idBytes)
                arena.write(line.at.microseconds)
                arena.write(fact)
            }
        }

        private mutating func add(kind: UnitKind, at: Instant, key: (inout ByteWriter) -> Void, event: (inout ByteWriter) -> Void) {
            let start = arena.bytes.count
            key(&arena)
            let keyEnd = arena.bytes.count
            event(&arena)
            let hash = arena.bytes.withUnsafeBufferPointer { ProjectionReplay.hash(ofKey: UnsafeBufferPointer(rebasing: $0[start..<keyEnd])) }
            folded.append(FoldedEvent(hash: hash, at: at.microseconds, bucket: kind.isSharedKey ? sharedKeyBucket : ProjectionReplay.bucket(of: hash),
                                      start: start, keyLength: keyEnd - start, eventLength: arena.bytes.count - keyEnd))
        }

        /// The events by bucket, each bucket's in an arena of its own.
        var buckets: [FoldedEvents] {
            var buckets = [FoldedEvents](repeating: FoldedEvents(), count: bucketCount + 1)
            var sizes = [(events: Int, bytes: Int)](repeating: (0, 0), count: bucketCount + 1)
            for event in folded {
                sizes[Int(event.bucket)].events += 1
                sizes[Int(event.bucket)].bytes += event.length
            }
            for (bucket, size) in sizes.enumerated() {
                buckets[bucket].folded.reserveCapacity(size.events)
                buckets[bucket].arena.bytes.reserveCapacity(size.bytes)
            }
            arena.bytes.withUnsafeBufferPointer { arena in
                for event in folded { buckets[Int(event.bucket)].append(event, from: arena) }
            }
            return buckets
        }

        private mutating func append(_ event: FoldedEvent, from arena: UnsafeBufferPointer<UInt8>) {
            folded.append(event.moved(to: self.arena.bytes.count))
            self.arena.bytes.append(contentsOf: event.bytes(in: arena))
        }
    }

    /// A seller's units fall in `bucketCount` buckets by their hash, feedback and claim keys in
    /// one more: each bucket's events are few enough to be grouped by unit, and the units measured,
    /// within a core's cache, where grouping a whole seller's events at once read memory at random.
    static let bucketCount = 256
    /// The bucket of feedback and claim keys, read first: their events join the orders they name.
    static let sharedKeyBucket = bucketCount

    /// The hash a unit is grouped by: of its key as the arena holds it, so that units folded
    /// from bytes and from `UnitReference`s hash alike. Eight bytes at a time, each word mixed
    /// in by a multiplication, then SplitMix64's finalizer: `Hasher` (SipHash) took 3% of a
    /// replay, and grouping needs no defence against chosen collisions, only their rarity,
    /// since a run of one hash is split by key.
    static func hash(ofKey key: UnsafeBufferPointer<UInt8>) -> Int {
        let bytes = UnsafeRawBufferPointer(key)
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        func mix(_ word: UInt64) {
            hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
        }
        while offset + 8 <= bytes.count {
            mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < bytes.count {
            let remaining = bytes.count - offset
            if bytes.count >= 8 {
                // The last eight bytes, shifted down to the ones not mixed in yet.
                mix(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)) >> (8 * (8 - remaining)))
            } else {
                var tail: UInt64 = 0
                for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * shift) }
                mix(tail)
            }
        }
        hash ^= hash >> 30
        hash = hash &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 31
        return Int(bitPattern: UInt(hash))
    }

    static func hash(of unit: UnitReference) -> Int {
        var key = ByteWriter()
        key.write(unit)
        return key.bytes.withUnsafeBufferPointer(hash(ofKey:))
    }

    static func bucket(of hash: Int) -> Int { Int(UInt(bitPattern: hash) >> (UInt.bitWidth - bucketCount.trailingZeroBitCount)) }

    /// Where one folded event lies in its part's arena, with its unit's hash and bucket, and
    /// its time, by which a unit's events are grouped.
    struct FoldedEvent: Sendable {
        let hash: Int
        /// `at` in microseconds.
        let at: Int64
        let start: Int
        let bucket: UInt16
        /// Ids are at most a few hundred characters, so a unit and an event take well under 64 KiB.
        let keyLength: UInt16
        let eventLength: UInt16

        init(hash: Int, at: Int64, bucket: Int, start: Int, keyLength: Int, eventLength: Int) {
            self.hash = hash
            self.at = at
            self.bucket = UInt16(bucket)
            self.start = start
            self.keyLength = UInt16(keyLength)
            self.eventLength = UInt16(eventLength)
        }

        var length: Int { Int(keyLength) + Int(eventLength) }

        func moved(to start: Int) -> FoldedEvent {
            FoldedEvent(hash: hash, at: at, bucket: Int(bucket), start: start, keyLength: Int(keyLength), eventLength: Int(eventLength))
        }

        func bytes(in arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: arena[start..<start + length])
        }

        func key(in arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: arena[start..<start + Int(keyLength)])
        }

        func event(in arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: arena[start + Int(keyLength)..<start + Int(keyLength) + Int(eventLength)])
        }
    }

    public init() {}

    public mutating func add(_ event: Event) { add([ReplayedEvent(event)]) }

    /// Folds the events, each core a slice of them; a few events are not worth the threads.
    public mutating func add(_ events: [ReplayedEvent]) {
        guard events.count >= 256 else {
            for event in events { parts[0].add(event) }
            return
        }
        let slices = Slices(of: events.count, into: parts.count)
        add(concurrently: { slices.next() }) { slice, part in
            for event in events[slice] { part.add(event) }
        }
    }

    /// Folds on the calling thread, into the first part: for events folded one at a time.
    public mutating func add<R>(_ fold: (inout Part) throws -> R) rethrows -> R { try fold(&parts[0]) }

    /// Folds pieces of work on every core at once, each core taking the next piece `next` hands
    /// out (nil: none left) and folding it whole into its own part, so that no core waits for
    /// another while there is work. `fold` adds a piece's events to the part it gets. Both are
    /// called on every core at once.
    public mutating func add<Work>(concurrently next: () -> Work?, _ fold: (Work, inout Part) -> Void) {
        parts.withUnsafeMutableBufferPointer { parts in
            nonisolated(unsafe) let parts = parts
            withoutActuallyEscaping(next) { next in
                withoutActuallyEscaping(fold) { fold in
                    nonisolated(unsafe) let next = next, fold = fold
                    DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                        while let work = next() { fold(work, &parts[part]) }
                    }
                }
            }
        }
    }

    public var eventCount: Int { parts.reduce(0) { $0 + $1.sellers.reduce(0) { $0 + $1.eventCount } } }

    func eventCount(of seller: String) -> Int { parts.reduce(0) { $0 + ($1.seller(seller)?.eventCount ?? 0) } }

    public var sellers: Set<String> { parts.reduce(Set()) { $0.union($1.sellerIDs) } }

    func configurations(of seller: String) -> [Event] { parts.flatMap { $0.seller(seller)?.configurations ?? [] } }

    public func settings(of seller: String) -> SellerSettings {
        SellerSettings(configurationEvents: configurations(of: seller))
    }

    /// The seller's units with their events as folded (those of feedback and claim keys under
    /// their keys only), in no order.
    func units(of seller: String) -> [(unit: UnitReference, events: [UnitEvent])] {
        let buckets = buckets(of: seller)
        return (0...Self.sharedKeyBucket).flatMap { bucket in Self.units(in: buckets.map { $0[bucket] }) }
    }

    /// The seller's folded events of each part by bucket, the parts on every core: moving each
    /// bucket's events together costs less than reading a whole seller's arenas at random.
    private func buckets(of seller: String) -> [[FoldedEvents]] {
        ParallelMap.map(parts.compactMap { $0.seller(seller)?.events }) { $0.buckets }
    }

    /// The units of one bucket with their events, in no order: the events of every part sorted
    /// by their unit's hash, then by time (so that a unit's events, folded by different parts,
    /// mostly need no sorting), each run of one hash split by unit.
    private static func units(in parts: [FoldedEvents]) -> [(unit: UnitReference, events: [UnitEvent])] {
        var order: [(hash: Int, at: Int64, part: Int32, index: Int32)] = []
        order.reserveCapacity(parts.reduce(0) { $0 + $1.folded.count })
        for (part, events) in parts.enumerated() {
            for (index, event) in events.folded.enumerated() { order.append((event.hash, event.at, Int32(part), Int32(index))) }
        }
        order.sort { ($0.hash, $0.at, $0.part, $0.index) < ($1.hash, $1.at, $1.part, $1.index) }
        var units: [(unit: UnitReference, events: [UnitEvent])] = []
        // Each part's arena and records, read in place.
        parts.map(\.arena.bytes).withUnsafeBufferPointers { arenas in
            parts.map(\.folded).withUnsafeBufferPointers { records in
                forEachUnit(in: order.lazy.map { entry in
                    let event = records[Int(entry.part)][Int(entry.index)]
                    let arena = arenas[Int(entry.part)]
                    return (event.hash, event.key(in: arena), event.event(in: arena))
                }) { key, events in units.append((UnitReference(encoded: key), events)) }
            }
        }
        return units
    }

    /// Each unit's key and events, from folded events sorted by hash: a run of one hash is one
    /// unit unless two keys share the hash, so the run is split by key. Each event is decoded
    /// straight from the arena, into an array of the run's length.
    static func forEachUnit(in sorted: some Collection<(hash: Int, key: UnsafeBufferPointer<UInt8>, event: UnsafeBufferPointer<UInt8>)>,
                            _ body: (UnsafeBufferPointer<UInt8>, [UnitEvent]) -> Void) {
        var start = sorted.startIndex
        // One array for every run, so that each unit does not allocate one.
        var run: [(key: UnsafeBufferPointer<UInt8>, events: [UnitEvent])] = []
        while start != sorted.endIndex {
            let hash = sorted[start].hash
            let end = sorted[start...].firstIndex { $0.hash != hash } ?? sorted.endIndex
            let length = sorted.distance(from: start, to: end)
            run.removeAll(keepingCapacity: true)
            for (_, key, event) in sorted[start..<end] {
                if let unit = run.lastIndex(where: { $0.key.hasSameBytes(as: key) }) {
                    run[unit].events.append(decoded(event))
                } else {
                    var events: [UnitEvent] = []
                    events.reserveCapacity(length)
                    events.append(decoded(event))
                    run.append((key, events))
                }
            }
            for (key, events) in run { body(key, events) }
            start = end
        }
    }

    /// An event as the arena holds it: bytes a replay wrote itself, so they always read.
    private static func decoded(_ event: UnsafeBufferPointer<UInt8>) -> UnitEvent {
        var reader = ByteReader(bytes: UnsafeRawBufferPointer(event))
        guard let decoded = try? reader.event(), reader.isAtEnd else { preconditionFailure("a replay misread its own arena") }
        return decoded
    }

    /// The seller's unit histories, each in valid-time order, the events of feedback and claim
    /// keys also in every order they name; in no order.
    public func histories(of seller: String) -> [(unit: UnitReference, events: [UnitEvent])] {
        reduceJoinedUnits(of: seller, into: []) { histories, units in
            histories += units.map { ($0.unit, $0.events.inValidTimeOrder) }
        } merge: { $0 += $1 }
    }

    /// Folds the seller's units, the events of feedback and claim keys also in every order they
    /// name, a bucket's units at a time on every core, each core into partial results that
    /// `merge` then joins: each bucket's units are measured while its events are still in the
    /// core's cache.
    private func reduceJoinedUnits<R>(of seller: String, into initial: R,
                                      _ fold: (inout R, [(unit: UnitReference, events: [UnitEvent])]) -> Void,
                                      merge: (inout R, R) -> Void) -> R {
        let buckets = buckets(of: seller)
        let sharedKeys = Self.units(in: buckets.map { $0[Self.sharedKeyBucket] })
        var named = [[UnitReference: [UnitEvent]]](repeating: [:], count: Self.bucketCount)
        for (_, events) in sharedKeys {
            for order in SharedKeys.orders(holding: events) {
                let unit = UnitReference.order(order)
                named[Self.bucket(of: Self.hash(of: unit))][unit, default: []] += events
            }
        }
        var result = ParallelMap.reduce(Array(0..<Self.bucketCount), into: initial, { partial, bucket in
            var units = Self.units(in: buckets.map { $0[bucket] })
            var named = named[bucket]
            if !named.isEmpty {
                for index in units.indices {
                    if let events = named.removeValue(forKey: units[index].unit) { units[index].events += events }
                }
                units += named.map { ($0.key, $0.value) }
            }
            fold(&partial, units)
        }, merge: merge)
        fold(&result, sharedKeys)
        return result
    }

    /// Every seller's daily deltas: the projection's counters rebuilt, each seller's units on every core.
    public var deltasBySeller: [String: ContributionSum] {
        Dictionary(uniqueKeysWithValues: sellers.map { ($0, deltas(of: $0)) })
    }

    /// The seller's daily deltas, from its unit histories.
    public func deltas(of seller: String) -> ContributionSum {
        let settings = settings(of: seller)
        return reduceJoinedUnits(of: seller, into: ContributionSum()) { sum, units in
            for (unit, events) in units where !unit.isSharedKey {
                sum.add(Projection.contribution(unit: unit, events: events.inValidTimeOrder, settings: settings))
            }
        } merge: { $0.add($1) }
    }

    /// The sum of the units' contributions, computed on every core; each unit's events in any order.
    public static func deltas(of histories: [(unit: UnitReference, events: [UnitEvent])], settings: SellerSettings) -> ContributionSum {
        ParallelMap.reduce(histories, into: ContributionSum()) { sum, history in
            sum.add(Projection.contribution(unit: history.unit, events: history.events.inValidTimeOrder, settings: settings))
        } merge: { $0.add($1) }
    }
}

extension [UnitEvent] {
    /// In valid-time order: the events themselves when they already are, as a replay reads most
    /// units' events, so that they are not copied.
    var inValidTimeOrder: [UnitEvent] {
        isInValidTimeOrder ? self : sorted(by: UnitEvent.validTimeOrder)
    }

    /// Compares the events in place: copying each, as `zip` does, retained and released its
    /// strings (the retains alone were 5% of a replay's samples).
    private var isInValidTimeOrder: Bool {
        withUnsafeBufferPointer { events in
            events.indices.dropFirst().allSatisfy { !UnitEvent.validTimeOrder(events[$0], events[$0 - 1]) }
        }
    }
}

/// What a replay keeps of a decoded event: its seller, and its configuration or its units'
/// events. A line the log holds is folded from its bytes instead (`Part.add(storedLine:)`).
public struct ReplayedEvent: Sendable {
    public let seller: String
    public let configuration: Event?
    public let unitEvents: [(unit: UnitReference, event: UnitEvent)]

    public init(_ event: Event) {
        seller = event.seller
        configuration = event.type == .sellerConfigured ? event : nil
        unitEvents = configuration == nil ? UnitReference.unitEvents(of: event) : []
    }
}

/// A metric and day on which the projection and a replay disagree, with the value each gives
/// as of that day.
public struct ProjectionDifference: Equatable, Sendable, CustomStringConvertible {
    public let seller: String
    public let metric: String
    public let day: CivilDate
    public let projected: Counts
    public let replayed: Counts

    public var description: String {
        "seller \(seller), \(metric) as of \(day): the projection has \(projected.numerator) of \(projected.denominator), a replay \(replayed.numerator) of \(replayed.denominator)"
    }

    /// Every day whose delta differs, as values: equal deltas on every day mean equal values on every day.
    public static func between(projected: [DeltaKey: Counts], replayed: [DeltaKey: Counts], seller: String) -> [ProjectionDifference] {
        let differing = Set(projected.keys).union(replayed.keys).filter { projected[$0] != replayed[$0] }.sorted()
        func value(_ deltas: [DeltaKey: Counts], metric: Int, asOf day: Int) -> Counts {
            deltas.reduce(Counts()) { sum, delta in delta.key.metric == metric && delta.key.day <= day ? sum + delta.value : sum }
        }
        return differing.map { key in
            ProjectionDifference(seller: seller, metric: MetricCatalog.all[key.metric].id, day: CivilDate(daysSinceEpoch: key.day),
                                 projected: value(projected, metric: key.metric, asOf: key.day),
                                 replayed: value(replayed, metric: key.metric, asOf: key.day))
        }
    }
}

extension ContributionSum {
    public var byKey: [DeltaKey: Counts] { Dictionary(uniqueKeysWithValues: deltas.map { ($0.key, $0.counts) }) }
}

extension ByteWriter {
    /// A folded event's unit: its kind, then its id.
    fileprivate mutating func write(_ unit: UnitReference) {
        var id = unit.id
        id.withUTF8 { write(unit.kind, id: $0) }
    }

    fileprivate mutating func write(_ kind: UnitKind, id: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(kind.rawValue))
        bytes.append(contentsOf: id)
    }
}

extension UnitReference {
    /// The unit `ByteWriter.write(_:)` wrote.
    fileprivate init(encoded bytes: UnsafeBufferPointer<UInt8>) {
        guard let kind = UnitKind(rawValue: Int(bytes[0])) else { preconditionFailure("a folded unit of no kind") }
        self.init(kind: kind, id: String(decoding: UnsafeBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self))
    }
}

extension Array {
    /// `body` reads every array in place.
    func withUnsafeBufferPointers<T, R>(_ body: ([UnsafeBufferPointer<T>]) -> R) -> R where Element == [T] {
        func read(from index: Int, _ buffers: [UnsafeBufferPointer<T>]) -> R {
            guard index < count else { return body(buffers) }
            return self[index].withUnsafeBufferPointer { read(from: index + 1, buffers + [$0]) }
        }
        return read(from: 0, [])
    }
}

/// `0..<count` cut into `pieces` ranges, handed out one at a time to whichever core asks.
private final class Slices: Sendable {
    private let count: Int
    private let pieces: Int
    private let handedOut = Mutex(0)

    init(of count: Int, into pieces: Int) {
        self.count = count
        self.pieces = pieces
    }

    func next() -> Range<Int>? {
        handedOut.withLock { piece in
            guard piece < pieces else { return nil }
            defer { piece += 1 }
            return count * piece / pieces..<count * (piece + 1) / pieces
        }
    }
}
