// Seed 002 section 2.3 one to one: the full MNIST (60,000 training images one at a time, tested
// on the 10,000 test images after every epoch), the presets' 30 epochs, maximum test accuracy.
// About 20 minutes on a 2-core machine, so it carries the fidelity-full label (README). Needs the
// data fetched once (scripts/fetch-mnist.sh); without it the test skips, it never downloads.
#include "../fidelity/cli_runner.hpp"

#include <QTemporaryDir>

#include <algorithm>
#include <filesystem>

namespace {

QStringList full_mnist(const QString& preset) {
    return {"train", "--preset", preset, "--dataset", "mnist", "--epochs", "30"};
}

} // namespace

class TestFullMnist : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    nlohmann::json fp64, mca;

  private Q_SLOTS:
    void initTestCase() {
        if (!have_full_mnist()) QSKIP("the full MNIST is not fetched (scripts/fetch-mnist.sh)");
        fp64 = run_cli_json(full_mnist("fp64"), 3'600'000);
        mca = run_cli_json(full_mnist("mca-pcm") + QStringList{"--out", dir.filePath("mca.h5")},
                           3'600'000);
        QVERIFY(!fp64.is_null() && !mca.is_null());
        qInfo("fp64 best %.4f, mca-pcm best %.4f (%.0f s)", best_test_accuracy(fp64),
              best_test_accuracy(mca), mca["wall_seconds"].get<double>());
    }

    void fp64ReachesSeed002() {
        QVERIFY2(best_test_accuracy(fp64) >= 0.980, fp64["test_accuracy"].dump().c_str());
    }

    void mcaIsWithinSixTenthsOfFp64() {
        // Seed 002: 97.73 % (chip) against 98.30 % FP64.
        QVERIFY2(best_test_accuracy(mca) >= 0.975, mca["test_accuracy"].dump().c_str());
        QVERIFY2(
            best_test_accuracy(fp64) - best_test_accuracy(mca) <= 0.006,
            qPrintable(
                QString("%1 vs %2").arg(best_test_accuracy(mca)).arg(best_test_accuracy(fp64))));
    }

    void mcaProgramsThousandTimesFewerDevicesEveryEpoch() { require_fewer_updates(mca); }

    void singleDeviceReachesSeed002() {
        // Seed 002: 97.47 %.
        const auto single = run_cli_json(full_mnist("mca-pcm-single"), 3'600'000);
        QVERIFY(!single.is_null());
        qInfo("mca-pcm-single best %.4f", best_test_accuracy(single));
        QVERIFY2(best_test_accuracy(single) >= 0.972, single["test_accuracy"].dump().c_str());
    }

    void directProgrammingFallsFarBelowMca() {
        // Seed 002 (simulation, after Nandakumar et al. 2018c): about 83 % without chi. Here
        // 72.9 % at best (seed 1): each image's update becomes whole stochastic PCM pulses and the
        // weights random-walk; the README's row shows the runs behind it (rounding, rates). What
        // holds either way: far below MCA, far above chance.
        const auto direct = run_cli_json(full_mnist("direct-pcm"), 3'600'000);
        QVERIFY(!direct.is_null());
        qInfo("direct-pcm best %.4f (seed 002: about 0.83)", best_test_accuracy(direct));
        QVERIFY2(best_test_accuracy(direct) <= best_test_accuracy(mca) - 0.10 &&
                     best_test_accuracy(direct) >= 0.5,
                 direct["test_accuracy"].dump().c_str());
    }

    void aMonthOfDriftCostsAtMostHalfAPoint() {
        // Seed 002 Fig. 3E: about 0.3 % lost after a month.
        const auto drift =
            run_cli_json({"drift", "--session", dir.filePath("mca.h5"), "--times", "1,2592000"});
        QVERIFY(!drift.is_null());
        const auto acc = drift["test_accuracy"];
        qInfo("drift: %s", acc.dump().c_str());
        QVERIFY(acc.front().get<double>() - acc.back().get<double>() <= 0.005);
    }
};

QTEST_GUILESS_MAIN(TestFullMnist)
#include "tst_full_mnist.moc"
