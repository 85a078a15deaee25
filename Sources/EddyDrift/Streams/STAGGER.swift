import EddyFeatures
import EddyLearn

/// STAGGER concepts (Schlimmer & Granger, 1986), as River's `datasets.synth.STAGGER`: size,
/// colour and shape in {0, 1, 2}; the label follows one of three boolean functions.
/// `balanceClasses` alternates the labels by rejection, as River does.
///
/// ```swift
/// var stagger = try STAGGER(classificationFunction: 2, seed: 1)
/// let (x, y) = stagger.next()   // x = [size, color, shape]
/// ```
public struct STAGGER: SyntheticStream {
    public let classificationFunction: Int
    public let balanceClasses: Bool
    private var rng: PythonRandom
    private var nextClassShouldBeZero = false

    public init(classificationFunction: Int = 0, seed: Int? = nil, balanceClasses: Bool = false) throws(StreamConfigurationError) {
        try StreamConfigurationError.check((0...2).contains(classificationFunction),
                                           "STAGGER classification_function \(classificationFunction) is unknown; allowed: 0, 1, 2")
        self.classificationFunction = classificationFunction
        self.balanceClasses = balanceClasses
        self.rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
    }

    public var featureCount: Int { 3 }
    public var task: LearningTask { .binary }

    private func label(_ size: Int, _ color: Int, _ shape: Int) -> Int {
        switch classificationFunction {
        case 0: size == 0 && color == 0 ? 1 : 0
        case 1: color == 2 || shape == 0 ? 1 : 0
        default: size == 1 || size == 2 ? 1 : 0
        }
    }

    public mutating func next() -> (x: FeatureVector, y: Double) {
        while true {
            let size = rng.randint(0, 2), color = rng.randint(0, 2), shape = rng.randint(0, 2)
            let y = label(size, color, shape)
            if balanceClasses {
                guard (nextClassShouldBeZero && y == 0) || (!nextClassShouldBeZero && y == 1) else { continue }
                nextClassShouldBeZero.toggle()
            }
            return (FeatureVector(dense: [Double(size), Double(color), Double(shape)]), Double(y))
        }
    }
}
