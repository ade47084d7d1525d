// Deep Q-learning on CartPole (Mnih et al. 2013, the DRL of seed 000) with full-precision
// layers: solved (mean reward >= 195 over 100 consecutive episodes, Gym's CartPole-v0 threshold)
// within the 1,000-episode budget at seeds 1-3, with the agent's defaults (double DQN, 4-128-128-2
// ReLU, replay 50,000, batch 64, target refresh every 500 learning steps, Adam 5e-4).
#include "core/rl/dqn.hpp"
#include "core/training/scheme_factory.hpp"

#include <QtTest>

using namespace cbl;
using namespace cbl::rl;

class TestFidelityDqn : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void solvesCartPole_data() {
        QTest::addColumn<int>("seed");
        for (int s : {1, 2, 3})
            QTest::newRow(qPrintable(QString("seed %1").arg(s))) << s;
    }
    void solvesCartPole() {
        QFETCH(int, seed);
        DqnConfig c;
        c.stop_at_mean_reward = 195;
        OptimizerConfig adam;
        adam.type = "adam";
        adam.learning_rate = 5e-4;
        const auto fp = [&](const std::vector<int>& l) {
            return make_layers<float>(weight_shapes(l), SchemeConfig{}, TileConfig{},
                                      std::uint64_t(seed), 0);
        };
        DqnAgent a(c, adam, fp, std::uint64_t(seed));
        while (!a.finished())
            a.run_episode();
        qInfo("seed %d: %zu episodes, %llu steps, mean of the last 100: %.1f", seed,
              a.episode_rewards().size(), (unsigned long long)a.environment_steps(),
              a.mean_reward_100());
        QVERIFY2(a.mean_reward_100() >= 195, qPrintable(QString::number(a.mean_reward_100())));
    }
};

QTEST_GUILESS_MAIN(TestFidelityDqn)
#include "tst_fidelity_dqn.moc"
