// Fashion-MNIST (the default dataset, Debian's dataset-fashion-mnist), 10 epochs: FP32 reaches
// the foundation target, MCA's best epoch stays within 1.5 points of FP64's, and with mini-batches (Adam in the
// digital unit, seed 002 section 2.4) within 1.5 points at the presets' seed (the mean over seeds
// 1-5, within 1.0, is tests/fidelity-full/tst_full_minibatch.cpp).
#include "cli_runner.hpp"

class TestFidelityFashion : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void initTestCase() {
        if (!QDir("/usr/share/datasets/fashion-mnist").exists())
            QSKIP("dataset-fashion-mnist is not installed");
    }
    void fp32ReachesTheFoundationTarget() {
        const auto fp32 = run_cli_json(
            {"train", "--preset", "fp32", "--dataset", "fashion-mnist", "--epochs", "10"});
        QVERIFY(!fp32.is_null());
        QVERIFY2(fp32["test_accuracy"].back().get<double>() >= 0.88,
                 fp32["test_accuracy"].dump().c_str());
    }
    void mcaIsWithinOneAndAHalfPointsOfFp64() {
        const auto fp64 = run_cli_json({"train", "--preset", "fp64", "--epochs", "10"});
        const auto mca = run_cli_json({"train", "--preset", "mca-pcm", "--epochs", "10"});
        QVERIFY(!fp64.is_null() && !mca.is_null());
        // Seed 002 (Fig. 3D) compares the maximum test accuracy over the epochs.
        const double a = best_test_accuracy(fp64), b = best_test_accuracy(mca);
        qInfo("fp64 %.4f, mca-pcm %.4f", a, b);
        // The presets' seed (1): about 1.3 points. Seeds 1-5 spread the gap over 1.1-1.6 points
        // (README, "What it reproduces"): the eps granularity alone costs about 1 point here (an
        // ideal linear device with the same eps), PCM programming and read noise the rest.
        QVERIFY2(a - b <= 0.015, qPrintable(QString("gap %1").arg(a - b)));
    }
    void minibatchMcaIsWithinOneAndAHalfPointsOfFp64() {
        const auto fp64 = run_cli_json({"train", "--preset", "fp64-minibatch"});
        const auto mca = run_cli_json({"train", "--preset", "mca-pcm-minibatch"});
        QVERIFY(!fp64.is_null() && !mca.is_null());
        const double a = fp64["test_accuracy"].back().get<double>(),
                     b = mca["test_accuracy"].back().get<double>();
        qInfo("fp64-minibatch %.4f, mca-pcm-minibatch %.4f", a, b);
        QVERIFY2(a - b <= 0.015, qPrintable(QString("gap %1").arg(a - b)));
    }
};

QTEST_GUILESS_MAIN(TestFidelityFashion)
#include "tst_fidelity_fashion.moc"
