import EddyLearn
import Testing

@Test func outputCountFollowsTheTask() {
    #expect(LearningTask.binary.outputCount == 2)
    #expect(LearningTask.multiclass(classes: 5).outputCount == 5)
    #expect(LearningTask.regression.outputCount == 1)
}
