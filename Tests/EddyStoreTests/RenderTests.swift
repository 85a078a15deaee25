import Foundation
import Testing
@testable import EddyStore

@Suite struct RenderTests {
    @Test func versionTableAlignsColumnsAndUnionsMetrics() {
        let versions = [
            ModelVersionSummary(id: 12, pipeline: "fraud", parentID: 11, createdAt: millis(1_795_970_400_123), reason: "drift-swap",
                                eventsSeen: 1_200_000, metrics: ["accuracy": 0.93125, "log_loss": 0.2]),
            ModelVersionSummary(id: 11, pipeline: "fraud", parentID: nil, createdAt: millis(1_795_970_000_000), reason: "periodic",
                                eventsSeen: 100_000, metrics: ["accuracy": 0.5, "mae": 2.5e-7]),
            ModelVersionSummary(id: 3, pipeline: "regression", parentID: nil, createdAt: millis(1_795_969_000_000), reason: "shutdown",
                                eventsSeen: 7, metrics: ["log_loss": .nan]),
        ]
        let expected = """
            VERSION  PIPELINE    PARENT  CREATED                   REASON       EVENTS  accuracy  log_loss         mae
                 12  fraud           11  2026-11-29T16:40:00.123Z  drift-swap  1200000    0.9313    0.2000           -
                 11  fraud            -  2026-11-29T16:33:20.000Z  periodic     100000    0.5000         -  2.5000e-07
                  3  regression       -  2026-11-29T16:16:40.000Z  shutdown          7         -       nan           -

            """
        #expect(VersionTable.render(versions) == expected)
        #expect(VersionTable.render([]) == "no model versions\n")
    }

    @Test func versionDetailShowsPartitionsMetricsAndStateSize() {
        let version = ModelVersion(
            id: 12, pipeline: "fraud", runID: 4, parentID: 11, createdAt: millis(1_795_970_400_123), reason: "periodic",
            eventsSeen: 300, partitions: [
                PartitionProgress(topic: "payments", partition: 0, nextOffset: 160, eventsLearned: 150, deadLettered: 10),
                PartitionProgress(topic: "payments", partition: 10, nextOffset: 1_000_000, eventsLearned: 140, deadLettered: 0),
            ],
            state: [UInt8](repeating: 0, count: 4096), metrics: ["accuracy": 0.9, "log_loss": 0.31])
        let expected = """
            version      12
            pipeline     fraud
            run          4
            parent       11
            reason       periodic
            created      2026-11-29T16:40:00.123Z
            events seen  300
            state        4096 bytes

            partitions
              TOPIC     PARTITION  NEXT OFFSET  LEARNED  DEAD-LETTERED
              payments          0          160      150             10
              payments         10      1000000      140              0
              total: 290 learned, 10 dead-lettered

            metrics
              accuracy  0.9000
              log_loss  0.3100

            """
        #expect(VersionDetail.render(version) == expected)
    }
}
