import Testing
import GSPCore
@testable import GSPImport

@Suite struct DemoGeneratorTests {
    @Test func sameSeedSameDataOtherSeedOtherData() {
        #expect(DemoGenerator(seed: 7, deals: 50).plan().records == DemoGenerator(seed: 7, deals: 50).plan().records)
        #expect(DemoGenerator(seed: 7, deals: 50).plan().records != DemoGenerator(seed: 8, deals: 50).plan().records)
    }

    @Test func coversEveryStageBothModelsAndRespectsTheGates() {
        let records = DemoGenerator(seed: 11, deals: 400).plan().records
        let kpis = records.filter { $0.table == .kpis }.map { KPI(id: $0.row, fields: $0.finalValues) }
        let kpisByDeal = Dictionary(grouping: kpis, by: { $0.deal! })
        let deals = records.filter { $0.table == .deals }.map { Deal(id: $0.row, fields: $0.finalValues) }
        #expect(Set(deals.map(\.stage)) == Set(Stage.allCases))
        #expect(Set(deals.compactMap { $0.contract?.modelName }) == ["royalty", "otc"])
        #expect(deals.contains { $0.outcome == .lost } && deals.contains { $0.outcome == .won })
        #expect(records.contains { $0.table == .time_entries })
        for deal in deals {
            // Every stage the deal passed must meet its gate: the generator makes gate-clean data.
            let problems = Stage.allCases.filter { $0 <= deal.stage }.flatMap {
                StageGate.requirements(of: $0, deal: deal, kpis: kpisByDeal[deal.id] ?? [])
            }
            #expect(problems.isEmpty, "deal \(deal.id) in \(deal.stage): \(problems)")
        }
    }
}
