import HealthLedgerCore
import Testing

struct HeadroomTests {
    static let odr = MetricCatalog.byID["order_defect_rate"]!

    /// ODR turns red at 1%: with 412 orders, 5 defects are red (500 ≥ 412), 4 are not
    /// (400 < 412). So 3 defects leave room for 1 more; 0 leave room for 4.
    @Test(arguments: [(3, 412, 1), (0, 412, 4), (4, 412, 0), (0, 100, 0), (0, 101, 1)])
    func headroomIsTheDefectsLeftBeforeRed(numerator: Int64, denominator: Int64, headroom: Int64) {
        let reading = MetricReading(definition: Self.odr, counts: Counts(numerator: numerator, denominator: denominator))
        #expect(reading.headroom == headroom)
        let atTheLimit = MetricReading(definition: Self.odr, counts: Counts(numerator: numerator + headroom + 1, denominator: denominator))
        #expect(atTheLimit.status == .red)
    }

    @Test func onlyRedLineMetricsThatAreNotRedHaveHeadroom() {
        #expect(MetricReading(definition: Self.odr, counts: Counts(numerator: 5, denominator: 412)).headroom == nil)
        #expect(MetricReading(definition: MetricCatalog.byID["refund_rate"]!, counts: Counts(numerator: 1, denominator: 10)).headroom == nil)
        #expect(MetricReading(definition: MetricCatalog.byID["policy_violations"]!, counts: Counts()).headroom == 0)
    }
}
