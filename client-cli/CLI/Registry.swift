/// Every `gsp` command, in help order.
///
/// Extension point: other parts of gsp add their commands in their own files, by
/// defining the groups below in an extension of `Registry` (see `Registry+Report.swift`
/// and `Registry+Import.swift`); nothing else needs to change here.
enum Registry {
    static var commands: [CommandNode] {
        [
            .command(InitCommand.self),
            .group(name: "deal", summary: "create, edit, move and read deals", children: [
                .command(DealNew.self), .command(DealSet.self), .command(DealShow.self), .command(DealList.self),
                .command(DealAdvance.self), .command(DealLose.self), .command(DealDelete.self),
            ]),
            .group(name: "kpi", summary: "agree and measure KPIs (stages kpi and evaluation)", children: [
                .command(KPIAdd.self), .command(KPIMeasure.self),
            ]),
            .group(name: "pis", summary: "the pre-installation service contract", children: [.command(PISSign.self)]),
            .group(name: "time", summary: "PIS time cards", children: [.command(TimeLog.self)]),
            .group(name: "contract", summary: "the main contract", children: [.command(ContractSign.self)]),
            .command(LaunchCommand.self),
            .group(name: "activity", summary: "visits, calls and other activities", children: [.command(ActivityAdd.self)]),
            .command(HistoryCommand.self),
            .command(PendingCommand.self),
            .command(LoginCommand.self),
            .command(SyncCommand.self),
            .command(StatusCommand.self),
        ] + reportCommands + importCommands
    }
}
