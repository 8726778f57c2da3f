"""Known wrong optimizer updates, simulated to recognise them in a failing answer.

grader/checks/hints.py compares a submission's parameters after a failing step with
the values each known mistake would give (epsilon inside the square root, Adam
without bias correction, ...). Simulating a wrong update means simulating the right
one beside it: this module is the optimizers' solution in another form. It stays on
the platform and out of the students' self-check kit (assign/selfcheck.py leaves it
out; hints then names no variant).
"""
import numpy as np

# The mistakes recognised for each optimizer, tried in this order; "frozen updated"
# (a parameter with requires_grad False was updated) applies to every optimizer.
VARIANTS = {"RMSProp": ("eps inside sqrt",), "Adam": ("no bias correction", "t per parameter")}
EVERY_OPTIMIZER = ("frozen updated",)


def variants_of(optimizer_class):
    """The names of the mistakes recognised for this optimizer class, in the order tried."""
    return VARIANTS.get(optimizer_class, ()) + EVERY_OPTIMIZER


def trajectory(config, variant=None):
    """The optimizer's parameter values after each step, or those of a known wrong variant."""
    cls, kw, lr = config["class"], config["kwargs"], config["lr"]
    params = [np.array(p, dtype=np.float64) for p in config["params"]]
    state = [{"m": np.zeros_like(p), "v": np.zeros_like(p)} for p in params]
    beta = kw.get("beta", 0.9)
    beta_1, beta_2 = kw.get("beta_1", 0.9), kw.get("beta_2", 0.999)
    eps = kw.get("epsilon", 1e-6 if cls == "RMSProp" else 1e-7)
    t, out = 0, []
    for grads in config["steps"]:
        t += 1
        for i, (p, g, frozen) in enumerate(zip(params, grads, config["frozen"])):
            if g is None or (frozen and variant != "frozen updated"):
                continue
            g = np.asarray(g, dtype=np.float64)
            s = state[i]
            if cls == "BasicOptimizer":
                p -= lr * g
            elif cls == "RMSProp":
                s["v"] = beta * s["v"] + (1 - beta) * g * g
                p -= lr * g / (np.sqrt(s["v"] + eps) if variant == "eps inside sqrt" else np.sqrt(s["v"]) + eps)
            else:
                if variant == "t per parameter" and i > 0:
                    t += 1
                s["m"] = beta_1 * s["m"] + (1 - beta_1) * g
                s["v"] = beta_2 * s["v"] + (1 - beta_2) * g * g
                m_hat, v_hat = s["m"], s["v"]
                if variant != "no bias correction":
                    m_hat, v_hat = m_hat / (1 - beta_1 ** t), v_hat / (1 - beta_2 ** t)
                p -= lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append([p.copy() for p in params])
    return out
