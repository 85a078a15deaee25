import ArgumentParser

/// The `eddy` command: an online-learning stream processor for Kafka.
@main
struct Eddy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eddy",
        abstract: "Online learning on Kafka streams: learn, checkpoint, detect drift, adapt.",
        subcommands: [RunCommand.self, ProduceCommand.self, ValidateCommand.self, CheckpointsCommand.self,
                      ShowCommand.self, ExportCommand.self, EvaluateCommand.self, DetectCommand.self,
                      RollbackCommand.self, ReplayCommand.self]
    )
}
