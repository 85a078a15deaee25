import EddyFeatures
import EddyLearn

/// Agrawal's loan-applicant generator (Agrawal et al., 1993), as River's
/// `datasets.synth.Agrawal`: nine features (salary, commission, age, elevel, car, zipcode,
/// hvalue, hyears, loan) and ten labelling functions; switching functions makes a drift.
/// `perturbation` adds uniform noise to the numeric features; `balanceClasses` alternates labels.
///
/// ```swift
/// var agrawal = try Agrawal(classificationFunction: 2, seed: 42)
/// let (x, y) = agrawal.next()   // x.values[2] is the age
/// ```
public struct Agrawal: SyntheticStream {
    public let classificationFunction: Int
    public let balanceClasses: Bool
    public let perturbation: Double
    private var rng: PythonRandom
    private var nextClassShouldBeZero = false

    public init(classificationFunction: Int = 0, seed: Int? = nil, balanceClasses: Bool = false,
                perturbation: Double = 0) throws(StreamConfigurationError) {
        try StreamConfigurationError.check((0...9).contains(classificationFunction),
                                           "Agrawal classification_function \(classificationFunction) is unknown; allowed: 0...9")
        try StreamConfigurationError.check((0...1).contains(perturbation), "Agrawal perturbation \(perturbation) must lie in [0, 1]")
        self.classificationFunction = classificationFunction
        self.balanceClasses = balanceClasses
        self.perturbation = perturbation
        self.rng = seed.map { PythonRandom(seed: $0) } ?? PythonRandom()
    }

    public var featureCount: Int { 9 }
    public var task: LearningTask { .binary }

    public mutating func next() -> (x: FeatureVector, y: Double) {
        var salary = 0.0, commission = 0.0, age = 0.0, elevel = 0.0, car = 0.0, zipcode = 0.0
        var hvalue = 0.0, hyears = 0.0, loan = 0.0, y = 0
        while true {
            salary = 20000 + 130000 * rng.random()
            commission = salary >= 75000 ? 0 : 10000 + 75000 * rng.random()
            age = Double(rng.randint(20, 80))
            elevel = Double(rng.randint(0, 4))
            car = Double(rng.randint(1, 20))
            zipcode = Double(rng.randint(0, 8))
            hvalue = (8 - zipcode) * 100000 * (0.5 + rng.random())
            hyears = Double(rng.randint(1, 30))
            loan = rng.random() * 500000
            y = Self.label(classificationFunction, salary, commission, age, elevel, hvalue, hyears, loan)
            if !balanceClasses { break }
            if (nextClassShouldBeZero && y == 0) || (!nextClassShouldBeZero && y == 1) {
                nextClassShouldBeZero.toggle()
                break
            }
        }
        if perturbation > 0 {
            salary = perturb(salary, 20000, 150000)
            if commission > 0 { commission = perturb(commission, 10000, 75000) }
            age = perturb(age, 20, 80).rounded(.toNearestOrEven)
            hvalue = perturb(hvalue, (9 - zipcode) * 100000, 0, range: 135000)
            hyears = perturb(hyears, 1, 30).rounded(.toNearestOrEven)
            loan = perturb(loan, 0, 500000)
        }
        return (FeatureVector(dense: [salary, commission, age, elevel, car, zipcode, hvalue, hyears, loan]), Double(y))
    }

    private mutating func perturb(_ value: Double, _ low: Double, _ high: Double, range: Double? = nil) -> Double {
        let v = value + (range ?? (high - low)) * (2 * (rng.random() - 0.5)) * perturbation
        if v < low { return low }
        if v > high { return high }
        return v
    }

    private static func inRange(_ v: Double, _ low: Double, _ high: Double) -> Int { low <= v && v <= high ? 1 : 0 }

    private static func label(_ function: Int, _ salary: Double, _ commission: Double, _ age: Double, _ elevel: Double,
                              _ hvalue: Double, _ hyears: Double, _ loan: Double) -> Int {
        let young = age < 40, middle = age < 60
        switch function {
        case 0:
            return young || 60 <= age ? 1 : 0
        case 1:
            return young ? inRange(salary, 50000, 100000) : middle ? inRange(salary, 75000, 125000) : inRange(salary, 25000, 75000)
        case 2:
            return young ? (elevel <= 1 ? 1 : 0) : middle ? ((1...3).contains(elevel) ? 1 : 0) : ((2...4).contains(elevel) ? 1 : 0)
        case 3:
            if young { return elevel <= 1 ? inRange(salary, 25000, 75000) : inRange(salary, 50000, 100000) }
            if middle { return (1...3).contains(elevel) ? inRange(salary, 50000, 100000) : inRange(salary, 75000, 125000) }
            return (2...4).contains(elevel) ? inRange(salary, 50000, 100000) : inRange(salary, 25000, 75000)
        case 4:
            if young { return inRange(salary, 50000, 100000) == 1 ? inRange(loan, 100000, 300000) : inRange(salary, 200000, 400000) }
            if middle {
                return inRange(salary, 75000, 125000) == 1 ? (200000 <= salary && loan <= 400000 ? 1 : 0) : inRange(salary, 300000, 500000)
            }
            return inRange(salary, 25000, 75000) == 1 ? inRange(loan, 300000, 500000) : inRange(loan, 75000, 300000)
        case 5:
            let total = salary + commission
            return young ? inRange(total, 50000, 100000) : middle ? inRange(total, 75000, 125000) : inRange(total, 25000, 75000)
        case 6:
            return 2 * (salary + commission) / 3 - loan / 5 - 20000 > 1 ? 0 : 1
        case 7:
            return 2 * (salary + commission) / 3 - 5000 * elevel - 20000 > 1 ? 0 : 1
        case 8:
            return 2 * (salary + commission) / 3 - 5000 * elevel - loan / 5 - 10000 > 1 ? 0 : 1
        default:
            let equity = hyears >= 20 ? hvalue * (hyears - 20) / 10 : 0
            return 2 * (salary + commission) / 3 - 5000 * elevel + equity / 5 - 10000 > 1 ? 0 : 1
        }
    }
}
