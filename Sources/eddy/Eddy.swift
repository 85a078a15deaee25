import ArgumentParser

/// The `eddy` command: an online-learning stream processor for Kafka.
@main
struct Eddy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eddy",
        abstract: "Online learning on Kafka streams: learn, checkpoint, detect drift, adapt.",
        subcommands: [DetectCommand.self, CheckpointsCommand.self, ShowCommand.self]
    )
}
