// TIME (seed 000) on the full MNIST through the CLI, 3 epochs at seeds 1-3 (issue 16): the
// variability-tolerant write needs fewer programming pulses and verify reads per image than plain
// write-and-verify on the same RRAM at test accuracy within 1 point, and the ledger prices the
// supervised run between 1.7x and 17x below DaDianNao (seed 000: 5.3x). The six runs took 35 s on a
// shared 2-core machine (README, "TIME: tuning and energy").
#include "cli_runner.hpp"

namespace {

nlohmann::json time_rram(const char* write, int seed) {
    return run_cli_json({"train", "--preset", "time-rram", "--dataset", "mnist", "--epochs", "3",
                         "--seed", QString::number(seed), "--set",
                         QString("scheme.write_scheme=%1").arg(write)});
}

double pulses_per_image(const nlohmann::json& run) {
    double pulses = 0;
    for (const auto& epoch : run["device_updates"])
        for (const auto& layer : epoch)
            pulses += layer.get<double>();
    return pulses / run["images_trained"].get<double>();
}

/// The ledger's verify-read energy per image: the same cost per read on both sides, so it
/// compares the schemes' verify reads without restating the technology's constant.
double verify_nJ_per_image(const nlohmann::json& run) {
    for (const auto& c : run["energy"]["components"])
        if (c["name"] == "verify_read") return c["energy_nJ_per_image"]["total"].get<double>();
    return -1;
}

} // namespace

class TestFidelityTime : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void tolerantWriteIsCheaperAtTheSameAccuracy_data() {
        QTest::addColumn<int>("seed");
        for (int s : {1, 2, 3})
            QTest::newRow(qPrintable(QString("seed %1").arg(s))) << s;
    }
    void tolerantWriteIsCheaperAtTheSameAccuracy() {
        QFETCH(int, seed);
        const auto verify = time_rram("verify", seed), tolerant = time_rram("tolerant", seed);
        QVERIFY(verify.is_object() && tolerant.is_object());
        const double acc_v = verify["test_accuracy"].back().get<double>();
        const double acc_t = tolerant["test_accuracy"].back().get<double>();
        qInfo("seed %d: tolerant %.1f pulses, %.2f nJ verify, %.2f %%; verify %.1f pulses, "
              "%.2f nJ verify, %.2f %%",
              seed, pulses_per_image(tolerant), verify_nJ_per_image(tolerant), 100 * acc_t,
              pulses_per_image(verify), verify_nJ_per_image(verify), 100 * acc_v);
        QVERIFY(pulses_per_image(tolerant) > 0);
        QVERIFY(pulses_per_image(tolerant) < pulses_per_image(verify));
        QVERIFY(verify_nJ_per_image(tolerant) > 0);
        QVERIFY(verify_nJ_per_image(tolerant) < verify_nJ_per_image(verify));
        QVERIFY2(acc_t >= acc_v - 0.01, qPrintable(QString("%1 vs %2").arg(acc_t).arg(acc_v)));
        // Seed 000's SL comparison: the same order as its 5.3x.
        const double asic = tolerant["energy_ratio"]["vs_dadiannao"].get<double>();
        QVERIFY2(asic >= 1.7 && asic <= 17, qPrintable(QString::number(asic)));
    }
};

QTEST_GUILESS_MAIN(TestFidelityTime)
#include "tst_fidelity_time.moc"
