from stack_tasks import table


def test_render_aligns_columns_under_their_headers() -> None:
    text = table.render(("NAME", "DRIVER"), [("default", "docker"), ("x", "remote")])

    assert text.splitlines() == [
        "NAME     DRIVER",
        "default  docker",
        "x        remote",
    ]


def test_render_shows_an_empty_cell_as_a_dash() -> None:
    text = table.render(("A", "B", "C"), [("1", "", "3")])

    assert text.splitlines()[1] == "1  -  3"


def test_render_strips_trailing_spaces() -> None:
    text = table.render(("LONG-HEADER", "B"), [("x", "")])

    assert all(line == line.rstrip() for line in text.splitlines())
