// The DQN agent of seed 000's deep RL on full-precision layers: the TD loss head, replay and
// exploration mechanics, determinism (its learning: tests/fidelity/tst_fidelity_dqn.cpp).
#include "core/network/loss_head.hpp"
#include "core/rl/dqn.hpp"
#include "core/training/scheme_factory.hpp"

#include <QtTest>

using namespace cbl;
using namespace cbl::rl;

namespace {

/// Full-precision Q-network matrices, as an fp experiment builds them.
WeightLayers<float> fp_layers(const std::vector<int>& layers, std::uint64_t seed) {
    return make_layers<float>(weight_shapes(layers), SchemeConfig{}, TileConfig{}, seed, 0);
}

/// A small CartPole agent that learns from its 100th step on.
DqnConfig small_dqn(int episodes) {
    DqnConfig c;
    c.episodes = episodes;
    c.warmup_steps = 100;
    c.batch_size = 16;
    c.hidden = {32, 32};
    return c;
}

OptimizerConfig adam(double lr) {
    OptimizerConfig o;
    o.type = "adam";
    o.learning_rate = lr;
    return o;
}

} // namespace

class TestDqn : public QObject {
    Q_OBJECT
  private Q_SLOTS:
    void tdHuberLossTouchesOnlyTheActionTaken() {
        auto target = std::make_shared<TdTarget>();
        TdHuberLoss<double> head(target, 1.0);
        Eigen::VectorXd z(3), dz;
        z << 0.5, 2.0, -1.0;
        StepContext ctx;
        target->action = 0;
        target->value = 0.2; // td = 0.3: quadratic part
        SampleResult r = head.forward_backward(z, 0, dz, ctx);
        QCOMPARE(r.predicted, 1);
        QVERIFY(std::abs(r.loss - 0.045) < 1e-12);
        QVERIFY(std::abs(dz[0] - 0.3) < 1e-12 && dz[1] == 0 && dz[2] == 0);
        target->action = 2;
        target->value = 2.0; // td = -3: linear part, gradient clipped to -1
        r = head.forward_backward(z, 0, dz, ctx);
        QVERIFY(std::abs(r.loss - 2.5) < 1e-12);
        QCOMPARE(dz[2], -1.0);
    }
    void replayMemoryIsARing() {
        ReplayMemory m(3, 2);
        for (int i = 0; i < 5; ++i)
            m.add(Eigen::Vector2f(float(i), 0), i % 2, i, Eigen::Vector2f(0, float(i)), i == 4);
        QCOMPARE(m.size(), 3);
        // Slots hold transitions 3, 4, 2 (the oldest two were overwritten).
        QCOMPARE(m.reward(0), 3.0);
        QCOMPARE(m.reward(1), 4.0);
        QVERIFY(m.terminal(1));
        QCOMPARE(m.state(2)[0], 2.0f);
    }
    void sameSeedSameEpisodes() {
        const DqnConfig c = small_dqn(15);
        auto run = [&](std::uint64_t seed) {
            DqnAgent a(
                c, adam(1e-3), [&](const std::vector<int>& l) { return fp_layers(l, seed); }, seed);
            while (!a.finished())
                a.run_episode();
            return a.episode_rewards();
        };
        QCOMPARE(run(3), run(3));
        QVERIFY(run(3) != run(4));
    }
    void stepsPlayTheSameEpisodesAsWholeEpisodes() {
        // The GUI plays a few steps at a time and draws between them; the CLI plays whole
        // episodes. Both must be the same run, learning included.
        const DqnConfig c = small_dqn(12);
        const auto layers = [](const std::vector<int>& l) { return fp_layers(l, 5); };
        DqnAgent whole(c, adam(1e-3), layers, 5), stepped(c, adam(1e-3), layers, 5);
        while (!whole.finished())
            whole.run_episode();
        int ends = 0;
        while (!stepped.finished()) {
            if (stepped.step()) {
                ++ends;
                QVERIFY(!stepped.in_episode());
                QCOMPARE(stepped.episode_rewards().size(), std::size_t(ends));
            } else {
                QVERIFY(stepped.in_episode());
            }
        }
        QCOMPARE(stepped.episode_rewards(), whole.episode_rewards());
        QCOMPARE(stepped.environment_steps(), whole.environment_steps());
        QCOMPARE(stepped.learning_steps(), whole.learning_steps());
        QVERIFY(stepped.network().weight_layer(0).weights() ==
                whole.network().weight_layer(0).weights());
    }
};

QTEST_GUILESS_MAIN(TestDqn)
#include "tst_dqn.moc"
