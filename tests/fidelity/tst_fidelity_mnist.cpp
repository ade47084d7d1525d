// Seed 002 on real MNIST (the 10k test set split 8,000 / 2,000, CLI.md --holdout 2000), through
// the CLI as a user runs it: FP baselines, MCA within 1 point of FP64 with >= 1000x fewer device
// updates, direct programming well below MCA, accuracy after a month of drift, Table 1 energy,
// and bit-identical resume.
#include "cli_runner.hpp"

#include <QTemporaryDir>

namespace {

double last(const nlohmann::json& j, const char* key) {
    return j[key].back().get<double>();
}

QStringList mnist(const QString& preset, int epochs) {
    return {"train",     "--preset",  preset,
            "--dataset", mnist_dir(), "--holdout",
            "2000",      "--epochs",  QString::number(epochs)};
}

} // namespace

class TestFidelityMnist : public QObject {
    Q_OBJECT
    QTemporaryDir dir;
    nlohmann::json fp64, mca;

  private Q_SLOTS:
    void initTestCase() {
        if (!have_mnist()) QSKIP("../shared/datasets/mnist-t10k is not here");
        fp64 = run_cli_json(mnist("fp64", 20));
        mca = run_cli_json(mnist("mca-pcm", 20) + QStringList{"--out", dir.filePath("mca.h5")});
        QVERIFY(!fp64.is_null() && !mca.is_null());
    }

    void fp32ReachesTheFoundationTarget() {
        const auto fp32 = run_cli_json(mnist("fp32", 20));
        QVERIFY(!fp32.is_null());
        QVERIFY2(last(fp32, "test_accuracy") >= 0.955, fp32["test_accuracy"].dump().c_str());
    }

    void mcaIsWithinOnePointOfFp64() {
        const double gap = last(fp64, "test_accuracy") - last(mca, "test_accuracy");
        qInfo("fp64 %.4f, mca-pcm %.4f", last(fp64, "test_accuracy"), last(mca, "test_accuracy"));
        QVERIFY2(gap <= 0.01, qPrintable(QString::number(gap)));
    }

    void singleDeviceMcaIsWithinOnePointOfFp64() {
        // Seed 002's single-device variant: 97.47 %, 0.8 points below its FP64 reference.
        const auto single = run_cli_json(mnist("mca-pcm-single", 20));
        QVERIFY(!single.is_null());
        qInfo("mca-pcm-single %.4f", last(single, "test_accuracy"));
        QVERIFY2(last(fp64, "test_accuracy") - last(single, "test_accuracy") <= 0.01,
                 single["test_accuracy"].dump().c_str());
    }

    void mcaProgramsThousandTimesFewerDevices() { require_fewer_updates(mca); }

    void directProgrammingFallsWellBelowMca() {
        const auto direct = run_cli_json(mnist("direct-pcm", 20));
        QVERIFY(!direct.is_null());
        qInfo("direct-pcm %.4f", last(direct, "test_accuracy"));
        QVERIFY(last(direct, "test_accuracy") <= last(mca, "test_accuracy") - 0.05);
    }

    void driftCostsAtMostOnePointAfterAMonth() {
        const auto drift = run_cli_json(
            {"drift", "--session", dir.filePath("mca.h5"), "--times", "1,3600,86400,2592000"});
        QVERIFY(!drift.is_null());
        const auto acc = drift["test_accuracy"];
        qInfo("drift: %s", acc.dump().c_str());
        QVERIFY(acc.front().get<double>() - acc.back().get<double>() <= 0.01);
        // Fig. 3E: compensation does not make it worse.
        QVERIFY(drift["test_accuracy_compensated"].back().get<double>() >=
                acc.back().get<double>() - 0.005);
    }

    void energyMatchesTable1() {
        // Seed 002 Table 1, MCA: 16.3 / 4.91 / 62.03 / 83.2 nJ per image; 172x vs 32-bit digital.
        const auto& e = mca["energy_nJ_per_image"];
        const std::pair<const char*, double> table[] = {
            {"forward", 16.3}, {"backward", 4.91}, {"update", 62.03}, {"total", 83.2}};
        for (const auto& [stage, paper] : table) {
            const double got = e[stage].get<double>();
            QVERIFY2(std::abs(got / paper - 1) <= 0.05,
                     qPrintable(QString("%1: %2 nJ vs %3 nJ").arg(stage).arg(got).arg(paper)));
        }
        const double ratio = mca["energy"]["energy_ratio_vs"]["32-bit digital"].get<double>();
        QVERIFY2(std::abs(ratio / 172 - 1) <= 0.10, qPrintable(QString::number(ratio)));
    }

    void resumeIsBitIdentical() {
        const QStringList small = {"--train-limit", "2000", "--test-limit", "500"};
        const auto straight = run_cli_json(mnist("mca-pcm", 3) + small);
        run_cli_json(mnist("mca-pcm", 1) + small + QStringList{"--out", dir.filePath("part.h5")});
        const auto resumed =
            run_cli_json({"train", "--resume", dir.filePath("part.h5"), "--epochs", "2"});
        QVERIFY(!straight.is_null() && !resumed.is_null());
        for (const auto& [key, value] : straight.items()) {
            if (key == "wall_seconds" || key == "images_per_second") continue;
            QVERIFY2(resumed[key] == value, key.c_str());
        }
    }

    void sameJsonWhateverTheThreadCount() {
        const QStringList small = {"--train-limit", "1500", "--test-limit", "500"};
        auto one = run_cli_json(mnist("mca-pcm", 2) + small + QStringList{"--threads", "1"});
        auto two = run_cli_json(mnist("mca-pcm", 2) + small + QStringList{"--threads", "2"});
        for (auto* j : {&one, &two}) {
            j->erase("wall_seconds");
            j->erase("images_per_second");
        }
        QCOMPARE(QString::fromStdString(one.dump()), QString::fromStdString(two.dump()));
    }
};

QTEST_GUILESS_MAIN(TestFidelityMnist)
#include "tst_fidelity_mnist.moc"
